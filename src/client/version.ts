/**
 * The package name and version, read once from the package's own `package.json` (found by walking
 * up from this file, so it works from `src/` under ts-node and from `dist/src/` alike).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The npm name of this package. */
export const PACKAGE_NAME = '@prosument/node-red-elicznik';

/** The project's home page, named in the user agent. */
export const PACKAGE_HOME = 'https://github.com/prosument/node-red-elicznik';

let cached: string | undefined;

/** The package version from package.json, or `0.0.0` when it cannot be found. */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') {
          cached = pkg.version;
          break;
        }
      } catch {
        // unreadable; keep looking further up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return cached;
}

/** The `User-Agent` the client sends: package name, version and home page. */
export function userAgent(): string {
  return `${PACKAGE_NAME}/${packageVersion()} (+${PACKAGE_HOME})`;
}
