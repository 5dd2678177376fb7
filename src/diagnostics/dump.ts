/**
 * Writes the exchanges of a failing call to a folder, every secret removed first, for a bug
 * report: one text file per HTTP hop and `error.txt` with the error, the package and Node versions.
 * Nothing unredacted is ever written. Files are readable only by the user.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpExchange } from '../client/http';
import { isElicznikError } from '../errors';
import { packageVersion } from '../client/version';
import { redactExchanges, redactWith, type KnownSecrets } from './redact';

/** What {@link writeDump} writes. */
export interface DumpInput {
  /** The error the call ended with. */
  error?: unknown;
  /** The exchanges of the call, oldest first. */
  exchanges: readonly HttpExchange[];
  /** The credentials and other values to remove. */
  known: KnownSecrets;
  /** Part of the folder name when the error names no step. */
  label?: string;
}

function safeName(text: string): string {
  return (
    text
      .replace(/[^a-z0-9-]+/gi, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'dump'
  );
}

function exchangeText(ex: HttpExchange): string {
  const lines = [`${ex.method} ${ex.url}`, `step: ${ex.step}`, `at: ${ex.at} (${ex.durationMs} ms)`, ''];
  for (const [name, value] of Object.entries(ex.requestHeaders)) lines.push(`> ${name}: ${value}`);
  if (ex.requestForm) {
    lines.push('>', '> form:');
    for (const [name, value] of Object.entries(ex.requestForm)) lines.push(`>   ${name}=${value}`);
  }
  lines.push('');
  if (ex.error !== undefined) lines.push(`no answer: ${ex.error}`);
  else lines.push(`< HTTP ${ex.status}`);
  for (const [name, value] of Object.entries(ex.responseHeaders)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`< ${name}: ${v}`);
  }
  lines.push('', ex.body);
  return `${lines.join('\n')}\n`;
}

function errorText(error: unknown, exchanges: readonly HttpExchange[], known: KnownSecrets): string {
  const lines: string[] = [];
  if (isElicznikError(error)) {
    lines.push(`code: ${error.code}`, `step: ${error.step}`, `message: ${error.message}`);
    if (error.httpStatus !== undefined) lines.push(`HTTP status: ${error.httpStatus}`);
    if (error.excerpt) lines.push(`excerpt: ${error.excerpt}`);
  } else if (error !== undefined) {
    lines.push(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  lines.push(
    `package: @prosument/node-red-elicznik ${packageVersion()}`,
    `node: ${process.version}`,
    `exchanges: ${exchanges.length}`,
  );
  return `${redactWith(lines.join('\n'), exchanges, known)}\n`;
}

/**
 * Writes a dump folder `elicznik-dump-<time>-<step>` inside `dir` (created when missing).
 * @returns the folder's path
 */
export async function writeDump(dir: string, input: DumpInput): Promise<string> {
  const step = isElicznikError(input.error) ? input.error.step : (input.label ?? 'dump');
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  await mkdir(dir, { recursive: true });
  let folder = path.join(dir, `elicznik-dump-${time}-${safeName(step)}`);
  for (let i = 2; ; i += 1) {
    try {
      await mkdir(folder, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST' || i > 50) throw err;
      folder = path.join(dir, `elicznik-dump-${time}-${safeName(step)}-${i}`);
    }
  }
  const redacted = redactExchanges(input.exchanges, input.known);
  const write = async (name: string, text: string) => {
    const file = path.join(folder, name);
    await writeFile(file, text, { mode: 0o600 });
    await chmod(file, 0o600);
  };
  await write('error.txt', errorText(input.error, input.exchanges, input.known));
  for (const [i, ex] of redacted.entries()) {
    await write(`${String(i + 1).padStart(2, '0')}-${safeName(ex.step)}.txt`, exchangeText(ex));
  }
  return folder;
}
