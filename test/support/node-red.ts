/**
 * Where the Node-RED runtime under test lives: `NODE_RED_PATH` (CI sets it to a Node-RED 5 install
 * for the Node 22 run), else the devDependency.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The Node-RED entry module (what `helper.init` wants). */
export function nodeRedPath(): string {
  const fromEnv = process.env.NODE_RED_PATH;
  if (fromEnv) return require.resolve(path.resolve(fromEnv));
  return require.resolve('node-red');
}

/** The Node-RED package directory (the one with its package.json). */
export function nodeRedDir(): string {
  let dir = path.dirname(nodeRedPath());
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The Node-RED version under test. */
export function nodeRedVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(nodeRedDir(), 'package.json'), 'utf8')).version;
}
