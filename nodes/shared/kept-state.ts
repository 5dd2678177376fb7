/**
 * State a node keeps in its Node-RED context, in the store the user picked (`undefined` = the
 * default store). Node-RED keeps node context through a redeploy, and a persistent store through a
 * restart, only for stores configured in settings.js.
 */
import type { Node } from 'node-red';

/**
 * Reads the kept state; resolves `undefined` when there is none, it fails the check, or the store
 * cannot be read (the node then starts afresh).
 */
export function loadKeptState<T>(
  node: Node,
  key: string,
  store: string | undefined,
  isValid: (value: unknown) => value is T,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    try {
      node.context().get(key, store, (err: Error | undefined, value: unknown) => {
        resolve(!err && isValid(value) ? value : undefined);
      });
    } catch {
      resolve(undefined);
    }
  });
}

/** Writes the state; a store that cannot be written gives a warning, never an error. */
export function saveKeptState(
  node: Node,
  key: string,
  store: string | undefined,
  value: unknown,
  what: string,
): void {
  node.context().set(key, value, store, (err?: Error) => {
    if (err) node.warn(`Could not keep the ${what} in context store "${store ?? 'default'}": ${err.message}`);
  });
}
