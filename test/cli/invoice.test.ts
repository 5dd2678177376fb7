import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXIT_CODES, helpText, run, type CliEnv } from '../../src/cli/main';
import { INVOICE_CSV_COLUMNS, invoiceHelpText } from '../../src/cli/invoice';
import type { InvoiceSummary } from '../../src/energy/invoice';
import { hoursInLocalDay, localDatesInRange } from '../../src/energy/time';
import {
  startSimulator,
  type SimAccount,
  type SimHourTruth,
  type SimulatorHandle,
} from '../../src/simulator';
import type { NetMeteringStatement } from '../../src/settlement/net-metering';

/** An account with a G12 prosumer (two zones every day) and a G11 one. */
const ACCOUNT: SimAccount = {
  username: 'jan.kowalski@example.com',
  password: 'Faktura-Sprawdz-42',
  meterPoints: [
    { id: '600555666_60555666_7555666', ppe: '590322400100555666', type: '', tariff: 'G12', pvKw: 8 },
    { id: '600777888_60777888_7777888', ppe: '590322400100777888', type: '', tariff: 'G11', pvKw: 5 },
  ],
};
const [G12, G11] = ACCOUNT.meterPoints;
const TODAY = '2026-11-05';
const env: CliEnv = { ELICZNIK_USERNAME: ACCOUNT.username, ELICZNIK_PASSWORD: ACCOUNT.password };

const wh = (kwh: number | null | undefined) =>
  kwh === null || kwh === undefined ? null : Math.round(kwh * 1000);

/** The simulator's hours of a range, with their date. */
function truth(
  sim: SimulatorHandle,
  id: string,
  from: string,
  to: string,
): (SimHourTruth & { date: string })[] {
  return localDatesInRange(from, to).flatMap((date) => sim.hourly(id, date).map((h) => ({ ...h, date })));
}

describe('cli: elicznik invoice', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let dir: string;
  let common: string[];

  async function cli(
    argv: string[],
    e: CliEnv = env,
    sessionFile = 'account.json',
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run([...argv, ...common, '--session-file', path.join(dir, sessionFile)], e, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stdout, stderr };
  }

  before(async () => {
    sim = await startSimulator({ accounts: [ACCOUNT], today: TODAY });
    dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-invoice-'));
    common = ['--service-url', sim.serviceUrl, '--login-url', sim.loginUrl];
  });
  after(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    sim.resetFaults();
  });

  it('is documented in elicznik --help and invoice --help', async () => {
    assert.match(helpText(), /invoice --from DATE --to DATE/);
    assert.match(helpText(), /Options of invoice/);
    const r = await cli(['invoice', '--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, invoiceHelpText());
    for (const option of ['--format table|csv|json', '--lang pl|en', '--system', '--prices', '--ratio'])
      assert.ok(r.stdout.includes(option), option);
    assert.doesNotMatch(r.stdout, /--format table\|json/);
    assert.equal(sim.stats.loginAttempts, 0);
  });

  it('sums a G12 point over the autumn DST week, per zone and in total, as JSON', async () => {
    const from = '2026-10-23';
    const to = '2026-10-27';
    const r = await cli(['invoice', '--from', from, '--to', to, '--meter', G12.id, '--format', 'json']);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    const s = JSON.parse(r.stdout) as InvoiceSummary;
    const hours = truth(sim, G12.id, from, to);
    assert.equal(s.total.hours, 4 * 24 + 25);
    assert.equal(s.hours.length, hours.length);
    assert.deepEqual(
      s.hours.filter((h) => h.date === '2026-10-25' && h.hour === 3).map((h) => h.hourStart),
      ['2026-10-25T02:00:00+02:00', '2026-10-25T02:00:00+01:00'],
    );
    const sum = (pick: (h: SimHourTruth) => number, zone?: string) =>
      hours.filter((h) => zone === undefined || h.zone === zone).reduce((a, h) => a + pick(h), 0);
    const ecp = (h: SimHourTruth) => wh(h.ecp)!;
    const eco = (h: SimHourTruth) => wh(h.eco)!;
    const ecbp = (h: SimHourTruth) => Math.max(ecp(h) - eco(h), 0);
    const ecbo = (h: SimHourTruth) => Math.max(eco(h) - ecp(h), 0);
    const auto = (h: SimHourTruth) => Math.min(ecp(h), eco(h));
    for (const zone of [undefined, 'T1', 'T2']) {
      const got = zone ? s.zones[zone] : s.total;
      assert.deepEqual(
        [wh(got.ecp), wh(got.eco), wh(got.ecbp), wh(got.ecbo), wh(got.autoconsumption)],
        [sum(ecp, zone), sum(eco, zone), sum(ecbp, zone), sum(ecbo, zone), sum(auto, zone)],
        zone ?? 'total',
      );
    }
    assert.ok(s.zones.T1.ecbo > 0 && s.zones.T2.ecbp > 0, 'both zones carry energy');
    assert.deepEqual(Object.keys(s.zones), ['T1', 'T2']);
    assert.equal(s.tauron!.matches, true, 'the simulator balances like we do unless told otherwise');
    assert.equal(s.tauron!.hoursCompared, hours.length);
    assert.deepEqual(s.missing, []);
  });

  it('shows the hours where TAURON’s balanced series differs from ours, and by how much', async () => {
    const date = '2026-10-25';
    sim.faults.balancedDifferences = [
      { date, hour: 3, repeated: true, ecbp: 0.125 },
      { date, hour: 13, ecbo: -0.2 },
      { date: '2026-10-26', hour: 20, ecbp: 0.04, ecbo: 0.01 },
    ];
    const args = ['invoice', '--from', date, '--to', '2026-10-26', '--meter', G11.id];
    const json = await cli([...args, '--format', 'json']);
    assert.equal(json.code, EXIT_CODES.OK, json.stderr);
    const s = JSON.parse(json.stdout) as InvoiceSummary;
    const check = s.tauron!;
    assert.equal(check.matches, false);
    assert.deepEqual(
      check.differences.map((d) => [d.hourStart, d.difference]),
      [
        ['2026-10-25T02:00:00+01:00', { ecbp: 0.125, ecbo: 0 }],
        ['2026-10-25T12:00:00+01:00', { ecbp: 0, ecbo: -0.2 }],
        ['2026-10-26T19:00:00+01:00', { ecbp: 0.04, ecbo: 0.01 }],
      ],
    );
    assert.equal(wh(check.difference.ecbp), 165);
    assert.equal(wh(check.difference.ecbo), -190);
    const served = truth(sim, G11.id, date, '2026-10-26');
    assert.equal(
      wh(check.tauron.ecbp),
      served.reduce((a, h) => a + wh(h.tauronEcbp)!, 0),
    );
    assert.equal(wh(check.ours.ecbp), wh(s.total.ecbp));

    const text = await cli(args);
    assert.equal(text.code, EXIT_CODES.OK, text.stderr);
    assert.match(text.stdout, /They differ in 3 h:/);
    assert.match(
      text.stdout,
      /2026-10-25\s+02:00-03:00 \(repeated\)\s+T1\s+[\d.]+\s+[\d.]+\s+\+0\.125\s+0\.000\s+0\.000\s+0\.000/,
    );
    assert.match(
      text.stdout,
      /2026-10-25\s+12:00-13:00\s+T1\s+0\.000\s+0\.000\s+0\.000\s+[\d.]+\s+[\d.]+\s+-0\.200/,
    );
    assert.match(text.stdout, /ECBP kWh\s+[\d.]+\s+[\d.]+\s+\+0\.165/);
    assert.match(text.stdout, /ECBO kWh\s+[\d.]+\s+[\d.]+\s+-0\.190/);
  });

  it('writes one row per hour as CSV with the report’s Polish columns, and English ones with --lang en', async () => {
    sim.faults.balancedDifferences = [{ date: '2026-03-29', hour: 12, ecbo: 0.3 }];
    const from = '2026-03-28';
    const to = '2026-03-29';
    const pl = await cli(['invoice', '--from', from, '--to', to, '--meter', G12.id, '--format', 'csv']);
    assert.equal(pl.code, EXIT_CODES.OK, pl.stderr);
    // without the byte order mark, Excel set to Polish reads the file as Windows-1250 (Początek →
    // PoczÄ…tek)
    assert.ok(pl.stdout.startsWith('\ufeffData;'), 'the Polish CSV starts with the UTF-8 byte order mark');
    const lines = pl.stdout.slice(1).trimEnd().split('\n');
    assert.equal(
      lines[0],
      'Data;Godzina;Początek godziny;Strefa;Energia pobrana ECP [kWh];Energia oddana ECO [kWh];' +
        'Energia pobrana po bilansowaniu ECBP [kWh];Energia oddana po bilansowaniu ECBO [kWh];' +
        'Autokonsumpcja [kWh];ECBP TAURON [kWh];ECBO TAURON [kWh]',
    );
    assert.equal(lines.length - 1, 24 + 23, 'the spring DST day has 23 rows');
    const rows = lines.slice(1).map((l) => l.split(';'));
    assert.ok(rows.every((r) => r.length === 11));
    const spring = rows.filter((r) => r[0] === '2026-03-29');
    assert.deepEqual(
      spring.slice(0, 3).map((r) => [r[1], r[2]]),
      [
        ['00:00-01:00', '2026-03-29T00:00:00+01:00'],
        ['01:00-02:00', '2026-03-29T01:00:00+01:00'],
        ['03:00-04:00', '2026-03-29T03:00:00+02:00'],
      ],
    );
    const hours = truth(sim, G12.id, from, to);
    rows.forEach((r, i) => {
      const h = hours[i];
      const n = (cell: string) => wh(Number(cell.replace(',', '.')));
      assert.equal(r[3], h.zone);
      assert.match(r[4], /^\d+,\d{3}$/, 'decimal comma, three decimals');
      assert.deepEqual(
        [n(r[4]), n(r[5]), n(r[6]), n(r[7]), n(r[8]), n(r[9]), n(r[10])],
        [
          wh(h.ecp),
          wh(h.eco),
          Math.max(wh(h.ecp)! - wh(h.eco)!, 0),
          Math.max(wh(h.eco)! - wh(h.ecp)!, 0),
          Math.min(wh(h.ecp)!, wh(h.eco)!),
          wh(h.tauronEcbp),
          wh(h.tauronEcbo),
        ],
      );
    });
    const noon = rows.find((r) => r[0] === '2026-03-29' && r[1] === '11:00-12:00')!;
    assert.notEqual(noon[7], noon[10], 'TAURON’s ECBO column shows the difference');

    const en = await cli([
      'invoice',
      '--from',
      from,
      '--to',
      from,
      '--meter',
      G12.id,
      '--format',
      'csv',
      '--lang',
      'en',
    ]);
    assert.equal(en.code, EXIT_CODES.OK, en.stderr);
    assert.ok(en.stdout.startsWith('Date,'), 'the English CSV, for scripts, has no byte order mark');
    const enLines = en.stdout.trimEnd().split('\n');
    assert.equal(enLines[0], INVOICE_CSV_COLUMNS.en.join(','));
    assert.equal(enLines.length - 1, 24);
    assert.match(enLines[1], /^2026-03-28,00:00-01:00,2026-03-28T00:00:00\+01:00,T2,\d+\.\d{3},/);
  });

  it('marks the repeated autumn hour in the CSV', async () => {
    const r = await cli([
      'invoice',
      '--from',
      '2026-10-25',
      '--to',
      '2026-10-25',
      '--format',
      'csv',
      '--meter',
      G11.id,
    ]);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 25);
    assert.deepEqual(
      rows.filter((l) => l.includes(';02:00-03:00')).map((l) => l.split(';').slice(1, 3)),
      [
        ['02:00-03:00', '2026-10-25T02:00:00+02:00'],
        ['02:00-03:00 (powtórzona)', '2026-10-25T02:00:00+01:00'],
      ],
    );
  });

  it('lists the hours of a late day as missing, with empty cells and out of the sums, never 0', async () => {
    sim.faults.nullFromHour = 15; // the newest day, yesterday, has nothing from 14:00 on
    const from = '2026-11-03';
    const to = '2026-11-04';
    const json = await cli(['invoice', '--from', from, '--to', to, '--meter', G11.id, '--format', 'json']);
    assert.equal(json.code, EXIT_CODES.OK, json.stderr);
    const s = JSON.parse(json.stdout) as InvoiceSummary;
    assert.equal(s.complete, false);
    assert.equal(s.total.hours, 48);
    assert.equal(s.total.missingHours, 10);
    assert.equal(s.missing[0], '2026-11-04T14:00:00+01:00');
    assert.equal(s.missing[9], '2026-11-04T23:00:00+01:00');
    const served = truth(sim, G11.id, from, to);
    assert.equal(served.filter((h) => h.ecp === null).length, 10);
    assert.equal(
      wh(s.total.ecp),
      served.reduce((a, h) => a + (wh(h.ecp) ?? 0), 0),
    );
    assert.deepEqual(s.tauron!.missing.ours, s.missing);
    assert.equal(s.tauron!.hoursCompared, 38);

    const csv = await cli(['invoice', '--from', to, '--to', to, '--meter', G11.id, '--format', 'csv']);
    const late = csv.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(';'));
    assert.equal(late.length, 24, 'every hour has a row');
    for (const r of late.slice(14)) assert.deepEqual(r.slice(4), ['', '', '', '', '', '', ''], r[1]);
    assert.match(late[13][4], /^\d+,\d{3}$/);

    const text = await cli(['invoice', '--from', from, '--to', to, '--meter', G11.id]);
    assert.match(text.stdout, /48 clock hours, 38 with ECP and ECO, 10 missing/);
    assert.match(text.stdout, /\nT1 Cała doba\s.*\s38\s+0\nall zones\s.*\s48\s+10\n/);
    assert.match(text.stdout, /\(10 missing h without a zone from eLicznik count in the total only\)/);
    assert.match(
      text.stdout,
      /Missing hours \(no ECP or ECO yet; left out of the sums, not counted as 0\): 10\n {2}2026-11-04 14:00-24:00 \(10 h\)/,
    );
  });

  it('says when the period has no data or only part of it, and never shows a sum without data as 0', async () => {
    sim.faults.missingDays = ['2026-10-05', '2026-10-06'];
    const none = await cli(['invoice', '--from', '2026-10-05', '--to', '2026-10-06', '--meter', G12.id]);
    assert.equal(none.code, EXIT_CODES.OK, none.stderr);
    assert.match(none.stdout, /48 clock hours, 0 with ECP and ECO, 48 missing\n/);
    assert.match(
      none.stdout,
      /eLicznik has no ECP and ECO for any hour of the period yet: there is nothing to compare with the invoice\./,
    );
    assert.doesNotMatch(none.stdout, /0\.000/, 'no sum of zero hours is shown as 0');
    assert.match(none.stdout, /\nall zones(\s+-){5}\s+48\s+48\n/);
    assert.match(
      none.stdout,
      /TAURON's balanced series \(eLicznik "po zbilansowaniu"\): no hour to compare\./,
    );

    const part = await cli(['invoice', '--from', '2026-10-04', '--to', '2026-10-05', '--meter', G12.id]);
    assert.equal(part.code, EXIT_CODES.OK, part.stderr);
    assert.match(
      part.stdout,
      /48 clock hours, 24 with ECP and ECO, 24 missing\nThe sums leave out the 24 missing hours: they can be lower than the invoice's until eLicznik has them\.\n/,
    );
    assert.match(part.stdout, /\nall zones(\s+\d+\.\d{3}){5}\s+48\s+24\n/);
  });

  it('adds the bank statement of the same period with --system, equal to settle', async () => {
    const period = ['--from', '2026-09-01', '--to', '2026-10-31', '--meter', G12.id];
    const prices = ['--prices', 'T1:0.62/0.38,T2:0.45/0.09'];
    const json = await cli(['invoice', ...period, '--system', 'net-metering', ...prices, '--format', 'json']);
    assert.equal(json.code, EXIT_CODES.OK, json.stderr);
    const s = JSON.parse(json.stdout) as InvoiceSummary & {
      statement: { system: string; months: NetMeteringStatement[] };
    };
    const settle = await cli([
      'settle',
      ...period,
      '--system',
      'net-metering',
      ...prices,
      '--format',
      'json',
    ]);
    assert.equal(settle.code, EXIT_CODES.OK, settle.stderr);
    assert.equal(s.statement.system, 'net-metering');
    assert.deepEqual(s.statement.months, JSON.parse(settle.stdout));
    const monthsEcbo = s.statement.months.reduce((a, m) => a + m.total.ecboWh, 0);
    assert.equal(monthsEcbo, wh(s.total.ecbo), 'the statement settles the checked hours');
    // The prices and the ratio as a Polish invoice writes them, with decimal commas.
    const polish = await cli([
      'invoice',
      ...period,
      '--system',
      'net-metering',
      '--prices',
      'T1:0,62/0,38,T2:0,45/0,09',
      '--ratio',
      '0,8',
      '--format',
      'json',
    ]);
    assert.equal(polish.code, EXIT_CODES.OK, polish.stderr);
    assert.deepEqual(JSON.parse(polish.stdout).statement, s.statement);

    const text = await cli(['invoice', ...period, '--system', 'net-metering', ...prices]);
    assert.equal(text.code, EXIT_CODES.OK, text.stderr);
    assert.match(text.stdout, /Net-metering bank \(starting empty on 2026-09-01\):\nmonth\s+ECBP kWh/);
    assert.match(text.stdout, /\n2026-09 .*\n2026-10 /);
  });

  it('refuses bad usage with exit code 2 before any request', async () => {
    sim.stats.reset();
    const period = ['--from', '2026-10-01', '--to', '2026-10-02'];
    const cases: [string[], RegExp][] = [
      [['invoice', '--from', '2026-10-01'], /--from and --to/],
      [['invoice', '--from', '2026-10-02', '--to', '2026-10-01'], /before --from/],
      [['invoice', ...period, '--format', 'xml'], /table, csv or json/],
      [['invoice', ...period, '--lang', 'de', '--format', 'csv'], /pl or en/],
      [['invoice', ...period, '--lang', 'en'], /--lang goes with --format csv/],
      [['invoice', ...period, '--prices', 'T1:0.5'], /--prices needs --system/],
      [['invoice', ...period, '--system', 'net-metering', '--format', 'csv'], /use table or json/],
      [['invoice', ...period, '--system', 'barter'], /net-metering or net-billing/],
      [['invoice', ...period, '--system', 'net-billing'], /needs --prices/],
      [['invoice', ...period, '--series', 'ecp'], /--series is not an option of invoice/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, EXIT_CODES.BAD_INPUT, argv.join(' '));
      assert.match(r.stderr, re, argv.join(' '));
    }
    assert.equal(sim.stats.loginAttempts, 0);
    assert.equal(sim.stats.dataRequests + sim.stats.csvRequests, 0);
  });

  it('counts 23 hours for the spring DST day in the text report', async () => {
    const r = await cli(['invoice', '--from', '2026-03-29', '--to', '2026-03-29', '--meter', G12.id]);
    assert.equal(r.code, EXIT_CODES.OK, r.stderr);
    assert.match(
      r.stdout,
      /^Invoice check 2026-03-29 - 2026-03-29 · meter point 600555666_60555666_7555666 · tariff G12\n/,
    );
    assert.match(r.stdout, /23 clock hours, 23 with ECP and ECO \(complete\)/);
    assert.match(r.stdout, /\nT1 Szczyt\s/);
    assert.match(r.stdout, /\nall zones\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+23\s+0\n/);
    assert.match(r.stdout, /They agree in every hour\./);
    assert.match(r.stdout, /Missing hours: none\./);
    assert.equal(hoursInLocalDay('2026-03-29'), 23);
  });

  it('exits with the codes of the other commands when the service fails', async () => {
    const period = ['invoice', '--from', '2026-10-01', '--to', '2026-10-01'];
    sim.faults.htmlInsteadOfJson = true;
    const down = await cli(period);
    assert.equal(down.code, EXIT_CODES.SERVICE_UNAVAILABLE, down.stderr);
    assert.equal(down.stdout, '', 'nothing half-written');
    sim.resetFaults();
    sim.faults.rateLimited = true;
    assert.equal((await cli(period)).code, EXIT_CODES.RATE_LIMITED);
    sim.resetFaults();
    const wrong = await cli(period, { ...env, ELICZNIK_PASSWORD: 'Zle-Haslo-1' }, 'other.json');
    assert.equal(wrong.code, EXIT_CODES.WRONG_CREDENTIALS, wrong.stderr);
    assert.ok(!wrong.stderr.includes('Zle-Haslo-1'));
  });
});
