import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '../../..');
const NODE_TYPES = [
  'elicznik-config',
  'elicznik-fetch',
  'elicznik-settlement',
  'elicznik-balance',
  'elicznik-heater',
];

/** Packages under node_modules that a fresh process has loaded after running `script`. */
function packagesLoadedBy(script: string, env: NodeJS.ProcessEnv = {}): string[] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `${script};const names=new Set();for(const k of Object.keys(require.cache)){const m=/node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(k);if(m)names.add(m[1].replace('\\\\','/'))}console.log(JSON.stringify([...names].sort()))`,
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } },
  );
  return JSON.parse(out);
}

describe('loading the node modules and the command line', () => {
  it('loads no HTTP, cookie, HTML or date library until a node needs one', () => {
    const loaded = packagesLoadedBy(NODE_TYPES.map((t) => `require('./dist/nodes/${t}/${t}.js')`).join(';'));
    for (const lib of ['axios', 'cheerio', 'tough-cookie', 'date-fns', '@date-fns/tz']) {
      assert.ok(!loaded.includes(lib), `${lib} is loaded at registration: ${loaded.join(', ')}`);
    }
  });

  it('loads none of them for the command line until a command needs the client', () => {
    const loaded = packagesLoadedBy(`require('./dist/src/cli/main.js')`);
    for (const lib of ['axios', 'cheerio', 'tough-cookie', 'date-fns', '@date-fns/tz']) {
      assert.ok(!loaded.includes(lib), `${lib} is loaded before the command runs: ${loaded.join(', ')}`);
    }
  });

  it('loads the client and its cookie library when a session first needs a client; axios only with a proxy', () => {
    const acquire =
      `const { SessionPool } = require('./dist/src/session/pool.js');` +
      `new SessionPool().acquire({ serviceUrl: 'http://127.0.0.1:9', loginUrl: 'http://127.0.0.1:9', username: 'u', password: 'p' })`;
    const loaded = packagesLoadedBy(acquire, { HTTP_PROXY: '', HTTPS_PROXY: '', ALL_PROXY: '' });
    assert.ok(loaded.includes('tough-cookie'), 'tough-cookie not loaded');
    // the quick page reader reads plain pages; cheerio comes with the first page it cannot read
    for (const lib of ['axios', 'cheerio']) assert.ok(!loaded.includes(lib), `${lib} loaded`);
    assert.ok(packagesLoadedBy(acquire, { HTTPS_PROXY: 'http://127.0.0.1:9' }).includes('axios'));
  });
});
