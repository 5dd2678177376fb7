import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ElicznikClient } from '../../src/client';
import { EXIT_CODES, helpText, run } from '../../src/cli/main';
import {
  SETTLE_OPTIONS,
  SYSTEM_OPTIONS,
  parsePricesOption,
  parseRcemOption,
  rceUrlFor,
  settleHelpText,
} from '../../src/cli/settle';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { RCE_PATH } from '../../src/simulator/rce';
import { settleNetBilling, type NetBillingMonth } from '../../src/settlement/net-billing';
import { settleNetMetering, type NetMeteringStatement } from '../../src/settlement/net-metering';
import { RceClient, priceBookOf } from '../../src/settlement/rce';
import {
  SETTLEMENT_DEFAULTS,
  SETTLEMENT_FLAGS,
  SETTLEMENT_SETTING_NAMES,
  settingOptionName,
} from '../../src/settlement/settings';

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

  /** The options (with the range) of `settle` and `invoice` and what their refusal says. */
  type Refusals = [string[], RegExp][];
  const RANGE = ['--from', '2025-07-01', '--to', '2025-07-02'];
  const BILLING = ['--system', 'net-billing', '--prices', 'T1:0.62,T2:0.45'];
  const METERING = ['--system', 'net-metering'];

  /** Each case ends in BAD_INPUT with its message in both commands, before any login or data request. */
  async function expectRefusedBeforeAnyRequest(cases: Refusals): Promise<void> {
    sim.stats.reset();
    for (const command of ['settle', 'invoice']) {
      for (const [options, re] of cases) {
        const argv = [command, ...RANGE, ...options];
        const r = await cli(argv);
        assert.equal(r.code, EXIT_CODES.BAD_INPUT, argv.join(' '));
        assert.match(r.stderr, re, argv.join(' '));
        assert.doesNotMatch(r.stderr, /fetched/, argv.join(' '));
      }
    }
    assert.equal(sim.stats.loginAttempts, 0);
    assert.equal(sim.stats.dataRequests + sim.stats.csvRequests, 0);
  }

  it('refuses a setting out of range before any login or data request', async () => {
    await expectRefusedBeforeAnyRequest([
      [[...METERING, '--ratio', '2'], /ratio/],
      [[...METERING, '--window-days', '0'], /bank window/],
      [[...METERING, '--window-days', '1.5'], /bank window/],
      [[...BILLING, '--coefficient', '0'], /coefficient/],
      [[...BILLING, '--coefficient-from', '2025-02-30'], /coefficient date/],
      [[...BILLING, '--validity-months', '0'], /validity/],
      [[...BILLING, '--switched-to-rce'], /Switched to RCE.*price mode rce/],
    ]);
  });

  it('refuses an option of the other system, naming it, before any login or data request', async () => {
    // Each of these used to be ignored without a word: the statement came out with the defaults.
    await expectRefusedBeforeAnyRequest([
      [[...BILLING, '--ratio', '0.7'], /--ratio is an option of net-metering, not of net-billing/],
      [[...BILLING, '--window-days', '90'], /--window-days is an option of net-metering/],
      [[...BILLING, '--expiry', 'same-time'], /--expiry is an option of net-metering/],
      [[...BILLING, '--zone-priority', 'T2,T1'], /--zone-priority is an option of net-metering/],
      [[...METERING, '--price-mode', 'rce'], /--price-mode is an option of net-billing, not of net-metering/],
      [[...METERING, '--rcem', '2025-07=250'], /--rcem is an option of net-billing/],
      [[...METERING, '--coefficient', '1.23'], /--coefficient is an option of net-billing/],
      [[...METERING, '--switched-to-rce'], /--switched-to-rce is an option of net-billing/],
      [[...METERING, '--validity-months', '12'], /--validity-months is an option of net-billing/],
      // options only hourly RCE reads, with the monthly RCEm (the default price mode)
      [[...BILLING, '--rce-from', '2025-07-01'], /--rce-from goes with --price-mode rce/],
      [
        [...BILLING, '--price-mode', 'rcem', '--rce-url', 'https://x.test/'],
        /--rce-url goes with --price-mode rce/,
      ],
      [[...BILLING, '--negative-prices', 'clip'], /--negative-prices goes with --price-mode rce/],
    ]);
  });
});

describe('cli: elicznik settle over two years agrees with the library', function () {
  this.timeout(120_000);
  const FROM = '2024-07-01';
  const TO = '2026-06-30';
  const PRICES = 'T1:0.62/0.38,T2:0.45/0.09';
  let sim: SimulatorHandle;
  let urls: string[];
  let records: Awaited<ReturnType<ElicznikClient['getHourly']>>;

  before(async () => {
    sim = await startSimulator({ today: '2026-09-10' });
    urls = ['--service-url', sim.serviceUrl, '--login-url', sim.loginUrl, '--meter', G12W.id];
    const client = new ElicznikClient({
      serviceUrl: sim.serviceUrl,
      loginUrl: sim.loginUrl,
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
      meterPoint: G12W.id,
    });
    try {
      records = await client.getHourly({ from: FROM, to: TO });
    } finally {
      await client.close();
    }
    assert.equal(records.length, 730 * 24);
  });
  after(async () => {
    await sim.close();
  });

  async function settle(argv: string[]): Promise<unknown[]> {
    let stdout = '';
    let stderr = '';
    const code = await run(
      ['settle', '--from', FROM, '--to', TO, '--format', 'json', ...argv, ...urls],
      env,
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
      },
    );
    assert.equal(code, EXIT_CODES.OK, stderr);
    return JSON.parse(stdout) as unknown[];
  }

  const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

  it('net-metering, with the ratio, the window, the expiry and the zone order of the node', async () => {
    const cli = await settle([
      '--system',
      'net-metering',
      '--prices',
      PRICES,
      '--ratio',
      '0.7',
      '--window-days',
      '90',
      '--expiry',
      'same-time',
      '--zone-priority',
      'T2,T1',
    ]);
    const { periods } = settleNetMetering(
      records,
      {
        prices: parsePricesOption(PRICES),
        ratio: 0.7,
        windowDays: 90,
        expiry: 'same-time',
        zonePriority: ['T2', 'T1'],
      },
      undefined,
      { hourStatements: false },
    );
    const months = periods.map((p) => p.month);
    assert.equal(months.length, 24);
    assert.ok(months.every((m) => m.final));
    assert.ok(
      months.some((m) => m.expiredWh > 0),
      'energy expired within the range',
    );
    assert.deepEqual(cli, plain(months));
    const byDefault = settleNetMetering(records, { prices: parsePricesOption(PRICES) }, undefined, {
      hourStatements: false,
    }).periods.map((p) => p.month);
    assert.deepEqual(
      await settle(['--system', 'net-metering', '--prices', PRICES]),
      plain(byDefault),
      'and with the defaults of both',
    );
  });

  it('net-billing on hourly RCE over 730 days, from an RCE start date, with the 30 % refund cap', async () => {
    const rcem = '2024-07=400,2024-08=410.5,2024-09=395,2024-10=402.1,2024-11=455,2024-12=470.3';
    const cli = await settle([
      '--system',
      'net-billing',
      '--prices',
      PRICES,
      '--price-mode',
      'rce',
      '--rce-from',
      '2025-01-01',
      '--rcem',
      rcem,
      '--switched-to-rce',
      '--refund-cap-base',
      'deposit',
      '--coefficient-from',
      '2024-12-01',
      '--validity-months',
      '1',
    ]);
    const rce = new RceClient({ url: `${sim.serviceUrl}${RCE_PATH}` });
    let hourly: ReadonlyMap<number, number> | undefined;
    try {
      hourly = priceBookOf((await rce.pricesBetween('2025-01-01', TO)).hours).hourly;
    } finally {
      rce.close();
    }
    const settings = {
      prices: parsePricesOption(PRICES),
      priceMode: 'rce' as const,
      rceFrom: '2025-01-01',
      refundCapPercent: 30,
      refundCapBase: 'deposit' as const,
      coefficientFrom: '2024-12-01',
      validityMonths: 1,
    };
    const book = { monthly: parseRcemOption(rcem), ...(hourly ? { hourly } : {}) };
    const months = settleNetBilling(records, settings, book, undefined, {
      hourStatements: false,
    }).periods.map((p) => p.month);
    assert.equal(months.length, 24);
    assert.ok(months.every((m) => m.final && m.unpricedHours === 0));
    // July 2024's deposit (942.693 kWh × 400 PLN/MWh = 37 708 gr) pays August only; of the rest
    // 30 % of 37 708 gr is refunded, the remainder lost.
    assert.equal(months[1].refundedGr, 11312);
    assert.ok(months[1].lostGr! > 0);
    assert.deepEqual(cli, plain(months));
    const capped20 = settleNetBilling(records, { ...settings, refundCapPercent: 20 }, book, undefined, {
      hourStatements: false,
    }).periods.map((p) => p.month);
    assert.notDeepEqual(cli, plain(capped20), '--switched-to-rce made a difference');
  });
});

describe('cli: settle has the settlement node’s settings', () => {
  it('has an option for every setting of the node, under its name in kebab case', () => {
    for (const name of SETTLEMENT_SETTING_NAMES) {
      const option = (SETTLE_OPTIONS as Record<string, { type: string }>)[settingOptionName(name)];
      assert.ok(option, `--${settingOptionName(name)}`);
      assert.equal(option.type, SETTLEMENT_FLAGS.includes(name) ? 'boolean' : 'string', name);
    }
    assert.equal(settingOptionName('coefficientRetroactive'), 'coefficient-retroactive');
  });

  it('puts every option but --system and --prices in one system, so that the other refuses it', () => {
    const grouped = [...SYSTEM_OPTIONS['net-metering'], ...SYSTEM_OPTIONS['net-billing']];
    assert.deepEqual(
      [...grouped, 'system', 'prices'].sort(),
      Object.keys(SETTLE_OPTIONS).sort(),
      'each option in exactly one place',
    );
  });

  it('has the defaults of the node’s editor, and says them in the help', () => {
    const html = readFileSync(
      path.resolve(__dirname, '../../../nodes/elicznik-settlement/elicznik-settlement.html'),
      'utf8',
    );
    const help = settleHelpText();
    for (const name of SETTLEMENT_SETTING_NAMES) {
      const m = new RegExp(`\\n\\s+${name}: \\{\\s*value: ('[^']*'|true|false)`).exec(html);
      assert.ok(m, `the editor has a default for ${name}`);
      const editorDefault = m[1].startsWith("'") ? m[1].slice(1, -1) : m[1];
      assert.equal(editorDefault, String(SETTLEMENT_DEFAULTS[name]), name);
      assert.ok(help.includes(`--${settingOptionName(name)}`), `--${settingOptionName(name)} in the help`);
    }
    for (const shown of [
      '(default 365)',
      'last day (default)',
      '(default 1.23)',
      '(default 2024-12-27)',
      '(default 12)',
    ]) {
      assert.ok(help.includes(shown), shown);
    }
  });

  it('says in settle --help which unsettled rule it uses', async () => {
    let stdout = '';
    const code = await run(
      ['settle', '--help'],
      {},
      { stdout: (t) => (stdout += t), stderr: () => undefined },
    );
    assert.equal(code, EXIT_CODES.OK);
    assert.equal(stdout, settleHelpText());
    assert.match(stdout, /expires at the end of the 365th day .*\n.*\(--expiry end-of-day\)/);
    assert.match(stdout, /without the 1\.23 coefficient\n\s+\(--refund-cap-base market\)/);
    assert.match(stdout, /in parts of at most 400 days/);
    assert.ok(
      helpText().includes('--refund-cap-base market|deposit'),
      'elicznik --help lists the options too',
    );
  });
});

describe('cli: settle option parsing', () => {
  it('reads zone prices and RCEm lists', () => {
    assert.deepEqual(parsePricesOption('T1:0.62/0.38,T2:0.45'), [
      { zones: { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45 } } },
    ]);
    // Prices as a Polish invoice prints them: a comma separates entries only before the next zone.
    assert.deepEqual(parsePricesOption('T1:0,62/0,38,T2:0,45'), parsePricesOption('T1:0.62/0.38,T2:0.45'));
    assert.deepEqual(parsePricesOption('T1:0,6234/0.38, T2:0.45/0,0912'), [
      { zones: { T1: { energy: 0.6234, distribution: 0.38 }, T2: { energy: 0.45, distribution: 0.0912 } } },
    ]);
    assert.throws(() => parsePricesOption('T1:0,62,0,38'), /"T1:0,62,0,38" is not ZONE:ENERGY/);
    assert.throws(() => parsePricesOption('T1:0,6,2'), /"T1:0,6,2" is not ZONE:ENERGY/);
    assert.deepEqual(parseRcemOption('2025-01=412.5, 2025-02=398'), { '2025-01': 412.5, '2025-02': 398 });
    assert.throws(() => parseRcemOption('2025-01:412'), { code: 'BAD_INPUT' });
    assert.deepEqual(parseRcemOption('2025-01=412,5,2025-02=398, 2025-03=401,25'), {
      '2025-01': 412.5,
      '2025-02': 398,
      '2025-03': 401.25,
    });
    assert.throws(() => parseRcemOption('2025-01=412,5,7'), /"2025-01=412,5,7" is not YYYY-MM=PRICE/);
  });

  it('uses PSE by default and a local simulator’s report when the service URL is local', () => {
    assert.equal(rceUrlFor({}), 'https://api.raporty.pse.pl/api/rce-pln');
    assert.equal(rceUrlFor({ 'service-url': 'http://127.0.0.1:8080/' }), 'http://127.0.0.1:8080/api/rce-pln');
    assert.equal(rceUrlFor({ 'rce-url': 'http://example.test/rce' }), 'http://example.test/rce');
  });
});
