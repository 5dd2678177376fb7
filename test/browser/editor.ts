/**
 * The one way the browser tests run a Node-RED editor: the Node-RED under test (`NODE_RED_PATH`,
 * else the devDependency; the demo's own flows on the demo's) as a child process with this package built to dist/, in a temporary user
 * directory, with the test's flows deployed; and headless Chromium (`chromium.ts`) in a chosen
 * language, whose pages report their console and script errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { ElicznikClient } from '../../src/client';
import { startNodeRed, type NodeRedProcess } from '../../src/demo/node-red-process';
import { DEMO_ACCOUNT } from '../../src/simulator';
import { nodeRedDir } from '../support/node-red';
import { launchChromium } from './chromium';

/** The package root (what Node-RED loads the nodes from). */
export const ROOT = path.resolve(__dirname, '../../..');

/** A running Node-RED with the test's flows. */
export interface Editor {
  red: NodeRedProcess;
  /** The editor's address; the dashboard is under `/dashboard`. */
  url: string;
  /** Stops Node-RED and removes its user directory. */
  stop(): Promise<void>;
}

/** Options of {@link startEditor}. */
export interface EditorOptions {
  /**
   * Run the Node-RED `npm start` runs (the devDependency, beside Dashboard 2.0) instead of the one
   * under test: for the demo's own flows.
   */
  demo?: boolean;
}

/** Starts Node-RED in a new temporary user directory (`elicznik-<name>-…`) and deploys `flows`. */
export async function startEditor(
  name: string,
  flows: unknown[],
  options: EditorOptions = {},
): Promise<Editor> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `elicznik-${name}-`));
  const removeUserDir = () => fs.rmSync(userDir, { recursive: true, force: true });
  let red: NodeRedProcess | undefined;
  try {
    red = await startNodeRed({
      userDir,
      packageDir: ROOT,
      ...(options.demo ? {} : { nodeRedDir: nodeRedDir() }),
    });
    await red.deploy(flows);
  } catch (err) {
    await red?.stop();
    removeUserDir();
    throw err;
  }
  const running = red;
  return {
    red: running,
    url: running.url,
    async stop() {
      await running.stop();
      removeUserDir();
    },
  };
}

/**
 * The config node `c1` of an eLicznik account on the simulator (no login pauses), with `fields`
 * (a meter point, credentials) over its defaults.
 */
export function simulatorAccount(
  sim: { serviceUrl: string; loginUrl: string },
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'c1',
    type: 'elicznik-config',
    name: '',
    meterPoint: '',
    meterPointLabel: '',
    serviceUrl: sim.serviceUrl,
    loginUrl: sim.loginUrl,
    timeout: 10,
    minLoginMinutes: 0,
    ...fields,
  };
}

/**
 * A client of the simulator's demo account on its first meter point, the one the demo flow uses:
 * what a page must show is computed with it. Close it after use.
 */
export function demoClient(sim: { serviceUrl: string; loginUrl: string }): ElicznikClient {
  return new ElicznikClient({
    serviceUrl: sim.serviceUrl,
    loginUrl: sim.loginUrl,
    username: DEMO_ACCOUNT.username,
    password: DEMO_ACCOUNT.password,
    meterPoint: DEMO_ACCOUNT.meterPoints[0].id,
  });
}

/** The meter point lookup's 422 answer to a wrong password, which Chromium logs as an error. */
export function wrongPasswordAnswer(message: ConsoleMessage): boolean {
  return /status of 422/.test(message.text()) && /elicznik-config/.test(message.location().url);
}

/** Options of {@link openBrowser}. */
export interface BrowserOptions {
  /** The browser's language (`en-US` default, `pl-PL` for the Polish catalogs and help). */
  lang?: string;
  /** Console errors a test expects (e.g. an HTTP error answer it provokes); not collected. */
  expected?: (message: ConsoleMessage) => boolean;
}

/** Headless Chromium whose pages report their errors. */
export interface EditorBrowser {
  context: BrowserContext;
  /** Console errors and uncaught script errors of every page, as `<page url>: <text>`. */
  errors: string[];
  /** A new page whose errors go to {@link errors}. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium (installed first when missing and possible; see `chromium.ts`). */
export async function openBrowser(options: BrowserOptions = {}): Promise<EditorBrowser> {
  const chromium = await launchChromium(options.lang ?? 'en-US');
  const errors: string[] = [];
  return {
    context: chromium.context,
    errors,
    async newPage() {
      const page = await chromium.context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && !options.expected?.(m)) errors.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`));
      return page;
    },
    close: () => chromium.close(),
  };
}

/** Opens the editor at `url` in `page` and waits until the flows (node `nodeId`) and the help are loaded. */
export async function openEditor(page: Page, url: string, nodeId: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction((id) => {
    const RED = (window as any).RED;
    return !!(RED?.editor && RED?.sidebar?.help && RED?.nodes?.node(id));
  }, nodeId);
}

/** Opens the edit dialog of node `id` and waits until `selector` in it is visible (or `state`). */
export async function editNode(
  page: Page,
  id: string,
  selector: string,
  state: 'visible' | 'attached' = 'visible',
): Promise<void> {
  await page.evaluate((nodeId) => {
    const RED = (window as any).RED;
    RED.editor.edit(RED.nodes.node(nodeId));
  }, id);
  await page.waitForSelector(selector, { state });
}

/**
 * Opens the dialog of config node `id` of `type` (`_ADD_` for a new one) and waits until `selector`
 * in it is visible (or `state`).
 */
export async function editConfig(
  page: Page,
  type: string,
  id: string,
  selector: string,
  state: 'visible' | 'attached' = 'visible',
): Promise<void> {
  await page.evaluate(([t, nodeId]) => (window as any).RED.editor.editConfig('', t, nodeId), [type, id]);
  await page.waitForSelector(selector, { state });
}

/** Clicks a dialog button (OK, Cancel, Done) and waits until every dialog tray is closed. */
export async function closeDialog(page: Page, button: string): Promise<void> {
  await page.click(button);
  await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
}

/** Deploys the editor's changes and waits until nothing is left to deploy. */
export async function deploy(page: Page): Promise<void> {
  await page.click('#red-ui-header-button-deploy');
  await page.waitForFunction(() => !(window as any).RED.nodes.dirty());
}
