/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` or Debian's `/usr/bin/chromium`. When it is
 * missing and the tests run as root, it is installed the way CI does (`apt-get install -y chromium`);
 * otherwise the suite fails with a message saying how to install it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium executable, installed first when missing and possible. */
export function chromiumExecutable(): string {
  const configured = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (fs.existsSync(configured)) return configured;
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'chromium'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (fs.existsSync(configured)) return configured;
  }
  throw new Error(
    `Chromium not found at ${configured}. Install it with "sudo apt-get install -y chromium" or set CHROMIUM_PATH.`,
  );
}

/** Launches headless Chromium with the flags the suite uses, in a temporary profile. */
export async function launchChromium(
  lang = 'en-US',
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumExecutable(),
    headless: true,
    locale: lang,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--lang=${lang}`,
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
