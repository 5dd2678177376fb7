/**
 * Where the Node-RED runtime under test lives: `NODE_RED_PATH` (CI sets it to a Node-RED 5 install
 * for the Node 22 run), else the devDependency.
 */
import path from 'node:path';

export function nodeRedPath(): string {
  const fromEnv = process.env.NODE_RED_PATH;
  if (fromEnv) return require.resolve(path.resolve(fromEnv));
  return require.resolve('node-red');
}

/** The Node-RED version under test. */
export function nodeRedVersion(): string {
  return require(path.join(path.dirname(nodeRedPath()), 'package.json')).version;
}
