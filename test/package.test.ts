import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNodeRed } from '../src/demo/node-red-process';
import { nodeRedDir } from './support/node-red';

const root = path.join(__dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args: string[], cwd: string): string {
  return execFileSync(npm, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every file under `dir`, relative, with `/` separators. */
function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

/** Node types an editor file registers: `RED.nodes.registerType('<literal>', {`. */
export function registeredTypes(html: string): string[] {
  return [...html.matchAll(/RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]\s*,\s*\{/g)].map((m) => m[1]);
}

describe('the npm package (Flow Library readiness)', function () {
  this.timeout(120_000);
  let work: string;
  let tarball: string;
  let unpacked: string;
  let manifest: any;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-pack-'));
    // `npm test` has just built dist/ afresh, so without the prepack script's second build.
    const out = JSON.parse(run(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)) as {
      filename: string;
    }[];
    tarball = path.join(work, out[0].filename);
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    unpacked = path.join(work, 'package');
    manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('has what node-red-dev validate asks of the package.json', () => {
    assert.match(manifest.name, /^@[a-z0-9-]+\/node-red-[a-z0-9-]+$/);
    assert.ok(manifest.license, 'license');
    assert.ok(fs.existsSync(path.join(unpacked, 'LICENSE')), 'LICENSE file');
    assert.match(manifest.repository?.url ?? '', /^git\+https:\/\/github\.com\//);
    assert.ok(manifest.keywords.includes('node-red'), 'node-red keyword');
    assert.equal(manifest['node-red'].version, '>=4.0.0');
    assert.ok(manifest.engines?.node, 'engines.node');
    assert.ok(Object.keys(manifest.dependencies ?? {}).length <= 6, 'at most 6 dependencies');
    assert.ok(fs.existsSync(path.join(unpacked, 'README.md')), 'README');
  });

  it('is built afresh whenever it is packed or published, and runs no script when installed', () => {
    // Without it, a pack from a fresh clone has no dist/, and one after a rename ships the stale file.
    assert.match(manifest.scripts?.prepack ?? '', /^npm run clean && npm run build$/);
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(manifest.scripts?.[hook], undefined, hook);
  });

  it('holds only what a user needs', () => {
    const files = listFiles(unpacked);
    // Not the `npm start` demo (it runs the devDependency Node-RED) nor the nodes' declarations
    // (they name Node-RED's types, which the package does not depend on; `types` is dist/src).
    for (const f of files) {
      const allowed =
        f === 'package.json' ||
        f === 'README.md' ||
        f === 'LICENSE' ||
        /^examples\/[^/]+\.json$/.test(f) ||
        (/^dist\/src\/.+\.(js|d\.ts)$/.test(f) && !f.startsWith('dist/src/demo/')) ||
        /^dist\/nodes\/[^/]+\/.+\.(js|html|json|svg|png)$/.test(f);
      assert.ok(allowed, `unexpected file in the package: ${f}`);
      assert.ok(!f.endsWith('.map') && !/(^|\/)test\//.test(f) && !/\.test\./.test(f), f);
      assert.ok(!(f.endsWith('.ts') && !f.endsWith('.d.ts')), `source file ${f}`);
    }
    for (const [type, file] of Object.entries(manifest['node-red'].nodes as Record<string, string>)) {
      assert.ok(files.includes(file), `${type}: ${file}`);
      assert.ok(files.includes(file.replace(/\.js$/, '.html')), `${type}: editor file`);
      const dir = path.posix.dirname(file);
      assert.ok(
        files.some((f) => f.startsWith(`${dir}/locales/en-US/`)),
        `${type}: English help`,
      );
      const icon = /\bicon:\s*'([^'/]+\.svg)'/.exec(
        fs.readFileSync(path.join(unpacked, file.replace(/\.js$/, '.html')), 'utf8'),
      )?.[1];
      if (icon) assert.ok(files.includes(`${dir}/icons/${icon}`), `${type}: its icon beside it`);
    }
  });

  it('ships every example flow of the repository, the invoice check too', () => {
    const shipped = fs.readdirSync(path.join(unpacked, 'examples')).sort();
    const ours = fs
      .readdirSync(path.join(root, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .sort();
    assert.deepEqual(shipped, ours);
    assert.ok(shipped.includes('check-invoice-needs-flowfuse-dashboard.json'));
  });

  it('has an example for every node type its editor files register (config nodes aside)', () => {
    const used = new Set(
      fs
        .readdirSync(path.join(unpacked, 'examples'))
        .flatMap(
          (f) =>
            JSON.parse(fs.readFileSync(path.join(unpacked, 'examples', f), 'utf8')) as { type: string }[],
        )
        .map((n) => n.type),
    );
    const types: string[] = [];
    for (const file of Object.values(manifest['node-red'].nodes as Record<string, string>)) {
      const html = fs.readFileSync(path.join(unpacked, file.replace(/\.js$/, '.html')), 'utf8');
      const found = registeredTypes(html);
      assert.ok(found.length > 0, `${file}: no registerType`);
      for (const type of found) {
        const isConfig = new RegExp(
          `registerType\\(\\s*['"]${type}['"]\\s*,\\s*\\{\\s*category:\\s*['"]config['"]`,
        ).test(html);
        if (!isConfig) types.push(type);
      }
    }
    assert.ok(types.length >= 4, types.join());
    for (const type of types) assert.ok(used.has(type), `no example uses ${type}`);
  });

  /** The packed tarball installed into a fresh Node-RED user directory (once, for every test here). */
  let userDir: string | undefined;
  function installed(): string {
    if (userDir) return userDir;
    const dir = path.join(work, 'user');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'node-red-project', private: true }),
    );
    try {
      run(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
    } catch (err) {
      const e = err as { stderr?: string };
      assert.fail(`npm install of the packed tarball failed: ${e.stderr}`);
    }
    userDir = dir;
    return dir;
  }

  it('installs from the packed tarball into a fresh user directory and Node-RED loads every node type from it, with no warning and each icon once', async function () {
    const dir = installed();
    const emptyNodesDir = path.join(work, 'no-nodes');
    fs.mkdirSync(emptyNodesDir);
    const log: string[] = [];
    const red = await startNodeRed({
      userDir: dir,
      packageDir: emptyNodesDir,
      nodeRedDir: nodeRedDir(),
      log: (line) => log.push(line),
    });
    let icons: string[];
    try {
      const res = await fetch(`${red.url}/nodes`, { headers: { accept: 'application/json' } });
      const sets = (await res.json()) as {
        module: string;
        types: string[];
        enabled: boolean;
        err?: string;
      }[];
      const ours = sets.filter((s) => s.module === manifest.name);
      for (const s of ours) assert.equal(s.err, undefined, `${s.types.join()}: ${s.err}`);
      const loaded = new Set(ours.filter((s) => s.enabled).flatMap((s) => s.types));
      for (const type of Object.keys(manifest['node-red'].nodes))
        assert.ok(loaded.has(type), `${type} not loaded`);
      // The icon picker of a node's Appearance tab lists what GET /icons lists.
      const iconsRes = await fetch(`${red.url}/icons`, { headers: { accept: 'application/json' } });
      icons = ((await iconsRes.json()) as Record<string, string[]>)[manifest.name] ?? [];
    } finally {
      await red.stop();
    }
    const named = Object.values(manifest['node-red'].nodes as Record<string, string>).flatMap((file) => [
      ...fs
        .readFileSync(path.join(unpacked, file.replace(/\.js$/, '.html')), 'utf8')
        .matchAll(/\bicon:\s*'([^'/]+\.svg)'/g),
    ]);
    assert.ok(named.length >= 4, 'the editor files name their icons');
    for (const [, icon] of named) assert.ok(icons.includes(icon), `${icon} not served`);
    assert.deepEqual(icons, [...new Set(icons)], 'the icon picker offers every icon once');
    // Startup notes of Node-RED itself, about the settings, not about any module.
    const core = /Projects disabled|Encrypted credentials not found|Creating new flow file/;
    const warnings = log.filter((l) => /\[(warn|error)\]/.test(l) && !core.test(l));
    assert.deepEqual(warnings, [], log.join('\n'));
  });

  it('has typings a TypeScript project compiles against, as CommonJS without esModuleInterop', () => {
    const dir = installed();
    const file = path.join(dir, 'consumer.ts');
    fs.writeFileSync(
      file,
      [
        `import { ElicznikClient, startSimulator, DEMO_ACCOUNT } from '${manifest.name}';`,
        `const client: ElicznikClient = new ElicznikClient({ serviceUrl: 'https://e.test', loginUrl: 'https://l.test', username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password });`,
        `export const run = () => startSimulator().then((sim) => sim.close());`,
        `export default client;`,
        '',
      ].join('\n'),
    );
    // The strictest setting for a library's typings: node16 and bundler resolution accept more.
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs'];
    args.push('--moduleResolution', 'node10', '--types', 'node');
    args.push('--typeRoots', path.join(root, 'node_modules/@types'), file);
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), ...args], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      assert.fail(`tsc ${args.join(' ')}:\n${(err as { stdout?: string }).stdout}`);
    }
  });
});

describe('the README test line', () => {
  it('installs the locked dependencies before it tests, and is what CI runs', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.includes('# every test'));
    assert.ok(line, 'README has a line marked "# every test"');
    assert.match(line, /^npm ci && npm test\s+#/);
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    assert.match(ci, /grep -m1 '# every test' README\.md/);
    assert.match(ci, /eval "\$test_line"/);
  });
});
