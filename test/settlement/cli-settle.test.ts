import assert from 'node:assert/strict';
import { EXIT_CODES, run } from '../../src/cli/main';
import { parsePricesOption, parseRcemOption, rceUrlFor } from '../../src/cli/settle';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import type { NetBillingMonth } from '../../src/settlement/net-billing';
import type { NetMeteringStatement } from '../../src/settlement/net-metering';

const G12W = DEMO_ACCOUNT.meterPoints[1];
const env = { ELICZNIK_USERNAME: DEMO_ACCOUNT.username, ELICZNIK_PASSWORD: DEMO_ACCOUNT.password };

describe('cli: elicznik settle', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let urls: string[];

  before(async () => {
    sim = await startSimulator({ today: '2025-09-10' });
    urls = ['--service-url', sim.serviceUrl, '--login-url', sim.loginUrl, '--meter', G12W.id];
  });
  after(async () => {
    await sim.close();
  });

  async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run([...argv, ...urls], env, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stdout, stderr };
  }

  it('prints the net-metering months as a table, the open month marked', async () => {
    const r = await cli([
      'settle',
      '--from',
      '2025-07-01',
      '--to',
      '2025-08-10',
      '--system',
      'net-metering',
      '--prices',
      'T1:0.62/0.38,T2:0.45/0.09',
    ]);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^month\s+ECBP kWh\s+ECBO kWh\s+banked\s+used\s+billed\s+expired\s+bank/);
    assert.match(lines[1], /^2025-07 /);
    assert.match(lines[2], /^2025-08\* /);
    assert.match(lines[3], /provisional/);
  });

  it('prints JSON month statements whose books close, with the hours balanced from the fetch', async () => {
    const r = await cli([
      'settle',
      '--from',
      '2025-07-01',
      '--to',
      '2025-08-10',
      '--system',
      'net-metering',
      '--format',
      'json',
      '--ratio',
      '0.7',
    ]);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    const months = JSON.parse(r.stdout) as NetMeteringStatement[];
    assert.deepEqual(
      months.map((m) => [m.label, m.final]),
      [
        ['2025-07', true],
        ['2025-08', false],
      ],
    );
    const july = months[0];
    assert.equal(july.missingHours, 0);
    assert.equal(
      july.balanceStartWh + july.total.bankedWh - july.total.usedWh - july.expiredWh,
      july.balanceWh,
    );
    // Balanced from the simulator's own hours: ECBO = Σ max(ECO − ECP, 0).
    let ecboWh = 0;
    for (let d = 1; d <= 31; d++) {
      for (const h of sim.hourly(G12W.id, `2025-07-${String(d).padStart(2, '0')}`)) {
        ecboWh += Math.max(Math.round(h.eco! * 1000) - Math.round(h.ecp! * 1000), 0);
      }
    }
    assert.equal(july.total.ecboWh, ecboWh);
    assert.equal(july.total.bankedWh, Math.floor((ecboWh * 7) / 10));
  });

  it('values export at hourly RCE from the simulator report', async () => {
    const r = await cli([
      'settle',
      '--from',
      '2025-07-01',
      '--to',
      '2025-08-31',
      '--system',
      'net-billing',
      '--price-mode',
      'rce',
      '--prices',
      'T1:0.62/0.38,T2:0.45/0.09',
      '--format',
      'json',
    ]);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    const months = JSON.parse(r.stdout) as NetBillingMonth[];
    assert.deepEqual(
      months.map((m) => m.final),
      [true, true],
    );
    assert.ok(months[0].depositAddedGr! > 0);
    assert.equal(months[1].depositUsedGr, Math.min(months[0].depositAddedGr!, months[1].total.energyCostGr));
  });

  it('needs the RCEm of every closed month and exits with BAD_INPUT otherwise', async () => {
    const base = [
      'settle',
      '--from',
      '2025-07-01',
      '--to',
      '2025-07-31',
      '--system',
      'net-billing',
      '--prices',
      'T1:0.62,T2:0.45',
    ];
    const missing = await cli(base);
    assert.equal(missing.code, EXIT_CODES.BAD_INPUT);
    assert.match(missing.stderr, /RCEm of 2025-07/);
    const ok = await cli([...base, '--rcem', '2025-07=250.5']);
    assert.equal(ok.code, EXIT_CODES.OK, ok.stderr);
    assert.match(ok.stdout, /^2025-07 /m);
  });

  it('refuses bad options with BAD_INPUT', async () => {
    for (const argv of [
      ['settle', '--from', '2025-07-01', '--to', '2025-07-02'],
      ['settle', '--from', '2025-07-01', '--to', '2025-07-02', '--system', 'net-billing'],
      ['settle', '--from', '2025-07-01', '--to', '2025-07-02', '--system', 'net-metering', '--format', 'csv'],
      [
        'settle',
        '--from',
        '2025-07-01',
        '--to',
        '2025-07-02',
        '--system',
        'net-metering',
        '--prices',
        'T1=0.5',
      ],
    ]) {
      assert.equal((await cli(argv)).code, EXIT_CODES.BAD_INPUT, argv.join(' '));
    }
  });
});

describe('cli: settle option parsing', () => {
  it('reads zone prices and RCEm lists', () => {
    assert.deepEqual(parsePricesOption('T1:0.62/0.38,T2:0.45'), [
      { zones: { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45 } } },
    ]);
    assert.deepEqual(parseRcemOption('2025-01=412.5, 2025-02=398'), { '2025-01': 412.5, '2025-02': 398 });
    assert.throws(() => parseRcemOption('2025-01:412'), { code: 'BAD_INPUT' });
  });

  it('uses PSE by default and a local simulator’s report when the service URL is local', () => {
    assert.equal(rceUrlFor({}), 'https://api.raporty.pse.pl/api/rce-pln');
    assert.equal(rceUrlFor({ 'service-url': 'http://127.0.0.1:8080/' }), 'http://127.0.0.1:8080/api/rce-pln');
    assert.equal(rceUrlFor({ 'rce-url': 'http://example.test/rce' }), 'http://example.test/rce');
  });
});
