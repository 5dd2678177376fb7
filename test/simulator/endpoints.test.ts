import assert from 'node:assert/strict';
import { addLocalDays, hoursInLocalDay, localDatesInRange, toServiceDate } from '../../src/energy/time';
import { startSimulator, DEMO_ACCOUNT, type SimulatorHandle } from '../../src/simulator';
import { Browser, logIn, postJson } from './browser';

const [G11, G12W, WO] = DEMO_ACCOUNT.meterPoints;
const TODAY = '2026-11-10';

function energyForm(
  from: string,
  to: string,
  type = 'consum',
  profile = 'full time',
): Record<string, string> {
  return {
    from: toServiceDate(from),
    to: toServiceDate(to),
    profile,
    type,
    energy: type === 'oze' ? '2' : '1',
  };
}

function csvUrl(base: string, from: string, to: string, series: string[], extra = ''): string {
  const flags = series.map((s) => `&form[energy][${s}]=1`).join('');
  return `${base}/energia/do/dane?form[from]=${toServiceDate(from)}&form[to]=${toServiceDate(
    to,
  )}&form[type]=godzin${flags}&form[fileType]=CSV${extra}`;
}

const wh = (kwh: number | null) => (kwh === null ? null : Math.round(kwh * 1000));

describe('simulator: data endpoints', () => {
  let sim: SimulatorHandle;
  let nowMs: number;
  let b: Browser;

  async function select(id: string): Promise<string> {
    return (await b.post(`${sim.serviceUrl}/ustaw_punkt`, { 'site[client]': id })).body;
  }

  async function energy(form: Record<string, string>, wo = false): Promise<any> {
    return postJson(b, `${sim.serviceUrl}/energia${wo ? '/wo' : ''}/api`, form);
  }

  before(async () => {
    nowMs = Date.parse(`${TODAY}T10:30:00+01:00`);
    // Long sessions: some tests move the clock by hours.
    sim = await startSimulator({ now: () => nowMs, sessionTtlMs: 24 * 3_600_000 });
    b = new Browser();
    await logIn(b, sim, DEMO_ACCOUNT.username, DEMO_ACCOUNT.password);
  });

  after(async () => {
    await sim.close();
  });

  afterEach(() => {
    sim.resetFaults();
    sim.setTodayDelay(null);
  });

  it('selects a meter point and shows its tariff in the Tariff marker', async () => {
    const page = await select(G12W.id);
    assert.match(page, /(?<!_)Tariff: 'G12W',/);
    assert.match(page, /Selected_Tariff: 'G12W',/);
    const wo = await select(WO.id);
    assert.match(wo, /(?<!_)Tariff: 'C11',/);
    const unknown = await select('590322400100123456');
    assert.match(unknown, /(?<!_)Tariff: 'G11',/, 'an unknown id selects the first point');
  });

  it('answers one day of hourly data in the documented shape, matching the ground truth', async () => {
    await select(G11.id);
    const date = '2026-06-15';
    const res = await energy(energyForm(date, date));
    assert.equal(res.success, true);
    const d = res.data;
    assert.deepEqual(Object.keys(d).sort(), [
      'allData',
      'chartZones',
      'labels',
      'sum',
      'tariff',
      'tooltipLabels',
      'values',
      'workName',
      'zones',
      'zonesName',
    ]);
    assert.equal(d.values.length, 24);
    assert.deepEqual(
      d.labels,
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    assert.equal(d.tooltipLabels[0], '0:00 - 1:00');
    assert.equal(d.tooltipLabels[23], '23:00 - 24:00');
    assert.deepEqual(d.zonesName, { '1': 'Cała doba (T1)' });
    assert.deepEqual(d.workName, { '1': 'T1' });
    assert.equal(d.tariff, 'G11');
    assert.ok(d.chartZones['1'].every((x: boolean) => x === false));
    const truth = sim.hourly(G11.id, date);
    assert.deepEqual(
      d.values,
      truth.map((h) => h.ecp),
    );
    const sumWh = truth.reduce((s, h) => s + wh(h.ecp)!, 0);
    assert.equal(wh(d.sum), sumWh);
    assert.equal(wh(d.zones['1']), sumWh);
    const a = d.allData[7];
    assert.deepEqual(Object.keys(a).sort(), [
      'Date',
      'EC',
      'Extra',
      'Hour',
      'Status',
      'Taryfa',
      'WorkName',
      'Zone',
      'ZoneName',
    ]);
    assert.equal(a.Hour, '8');
    assert.equal(typeof a.EC, 'string');
    assert.equal(Number(a.EC), d.values[7]);
    assert.equal(a.Status, '0');
    assert.equal(a.Extra, 'N');
    assert.equal(a.ZoneName, 'Cała doba');
    assert.equal(a.Taryfa, 'G11');
    assert.equal(a.WorkName, 'T1');
    assert.ok(d.allData.every((x: any) => x.Date === '2026-06-15T02:00:00.000+02:00'));
    for (const v of d.values) assert.equal(Math.round(v * 1000) / 1000, v, 'three decimals');
  });

  it('accepts dates without leading zeros and rejects bad fields with success false', async () => {
    await select(G11.id);
    const res = await energy({ from: '1.6.2026', to: '1.6.2026', profile: 'full time', type: 'oze' });
    assert.equal(res.success, true);
    assert.deepEqual(
      res.data.values,
      sim.hourly(G11.id, '2026-06-01').map((h) => h.eco),
    );
    assert.deepEqual(await energy({ ...energyForm('2026-06-01', '2026-06-01'), type: 'power' }), {
      success: false,
    });
    assert.deepEqual(await energy({ ...energyForm('2026-06-01', '2026-06-01'), from: '2026-06-01' }), {
      success: false,
    });
    assert.deepEqual(await energy(energyForm('2026-06-02', '2026-06-01')), { success: false });
  });

  it('balances each hour for netto and netto_oze', async () => {
    await select(G11.id);
    const date = '2026-04-20';
    const truth = sim.hourly(G11.id, date);
    const netto = (await energy(energyForm(date, date, 'netto'))).data.values;
    const nettoOze = (await energy(energyForm(date, date, 'netto_oze'))).data.values;
    truth.forEach((h, i) => {
      assert.equal(wh(netto[i]), Math.max(wh(h.ecp)! - wh(h.eco)!, 0));
      assert.equal(wh(nettoOze[i]), Math.max(wh(h.eco)! - wh(h.ecp)!, 0));
    });
  });

  it('serves balanced series that differ from the hourly balance in the chosen hours, never below 0', async () => {
    await select(G11.id);
    const date = '2026-10-25';
    const balance = sim.hourly(G11.id, date);
    assert.ok(
      balance.some((h) => h.hour === 13 && h.eco! > h.ecp!),
      'an export hour at midday',
    );
    assert.ok(
      balance.some((h) => h.hour === 2 && h.ecp! > h.eco!),
      'an import hour at night',
    );
    sim.faults.balancedDifferences = [
      { date, hour: 3, repeated: true, ecbp: 0.25 },
      { date, hour: 13, ecbo: -0.1, ecbp: 0.05 },
      { date, hour: 2, ecbp: -50 },
    ];
    const truth = sim.hourly(G11.id, date);
    const changed = new Map([
      [3.5, [0.25, 0]],
      [13, [0.05, -0.1]],
      [2, [-50, 0]],
    ]);
    balance.forEach((h, i) => {
      const [dp, dc] = changed.get(h.repeated ? h.hour + 0.5 : h.hour) ?? [0, 0];
      const ecbp = Math.max(wh(h.ecp)! - wh(h.eco)!, 0);
      const ecbo = Math.max(wh(h.eco)! - wh(h.ecp)!, 0);
      assert.equal(wh(truth[i].tauronEcbp), Math.max(ecbp + dp * 1000, 0), `${i}`);
      assert.equal(wh(truth[i].tauronEcbo), Math.max(ecbo + dc * 1000, 0), `${i}`);
      assert.equal(truth[i].ecp, h.ecp, 'ECP and ECO stay as they were');
    });
    const netto = (await energy(energyForm(date, date, 'netto'))).data.values as number[];
    const nettoOze = (await energy(energyForm(date, date, 'netto_oze'))).data.values as number[];
    assert.deepEqual(
      netto.map(wh),
      truth.map((h) => wh(h.tauronEcbp)),
    );
    assert.deepEqual(
      nettoOze.map(wh),
      truth.map((h) => wh(h.tauronEcbo)),
    );
    const csv = (await b.get(csvUrl(sim.serviceUrl, date, date, ['netto']))).body.trim().split('\n').slice(1);
    assert.deepEqual(
      csv.map((r) => wh(Number(r.split(';')[2].replace(',', '.')))),
      truth.map((h) => wh(h.tauronEcbp)),
    );
    const month = (await energy(energyForm(date, date, 'netto', 'month'))).data.values as number[];
    assert.equal(
      wh(month[0]),
      truth.reduce((s, h) => s + wh(h.tauronEcbp)!, 0),
    );
    sim.resetFaults();
    assert.deepEqual(
      sim.hourly(G11.id, date).map((h) => h.tauronEcbp),
      balance.map((h) => h.tauronEcbp),
    );
  });

  it('serves DST days with 23 and 25 hours, the repeated hour marked Extra T', async () => {
    await select(G11.id);
    const spring = (await energy(energyForm('2026-03-29', '2026-03-29'))).data;
    assert.equal(spring.values.length, 23);
    assert.equal(spring.allData.length, 23);
    assert.ok(!spring.labels.includes(3));
    assert.ok(!spring.allData.some((a: any) => a.Hour === '3'));

    const autumn = (await energy(energyForm('2026-10-25', '2026-10-25', 'consum'))).data;
    assert.equal(autumn.values.length, 25);
    assert.equal(autumn.labels.filter((l: number) => l === 3).length, 2);
    const threes = autumn.allData.filter((a: any) => a.Hour === '3');
    assert.deepEqual(
      threes.map((a: any) => a.Extra),
      ['N', 'T'],
    );
    assert.equal(autumn.allData.filter((a: any) => a.Extra === 'T').length, 1);
    const truth = sim.hourly(G11.id, '2026-10-25');
    assert.equal(truth.length, 25);
    assert.deepEqual(
      truth.filter((h) => h.hour === 3).map((h) => h.repeated),
      [false, true],
    );
    assert.deepEqual(
      autumn.values,
      truth.map((h) => h.ecp),
    );
  });

  it('serves every hour of a multi-day full time range', async () => {
    await select(G11.id);
    const res = (await energy(energyForm('2026-10-24', '2026-10-26'))).data;
    assert.equal(res.values.length, 24 + 25 + 24);
    assert.equal(res.chartZones['1'].length, res.values.length);
    const dates = [...new Set(res.allData.map((a: any) => a.Date))];
    assert.deepEqual(dates, [
      '2026-10-24T02:00:00.000+02:00',
      '2026-10-25T02:00:00.000+02:00', // UTC midnight is still summer time on the autumn DST day
      '2026-10-26T01:00:00.000+01:00',
    ]);
  });

  it('splits G12W hours into T1 and T2 consistently across zones, chartZones and allData', async () => {
    await select(G12W.id);
    const date = '2026-06-15'; // a Monday
    const d = (await energy(energyForm(date, date))).data;
    assert.equal(d.tariff, 'G12W');
    assert.deepEqual(d.zonesName, { '1': 'Szczyt (T1)', '2': 'Poza szczytem (T2)' });
    assert.deepEqual(d.workName, { '1': 'T1', '2': 'T2' });
    const t1Hours = d.allData.filter((a: any) => a.Zone === '1').map((a: any) => Number(a.Hour));
    assert.deepEqual(t1Hours, [7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 22]);
    d.allData.forEach((a: any, i: number) => {
      assert.equal(d.chartZones['1'][i], a.Zone === '1');
      assert.equal(d.chartZones['2'][i], a.Zone === '2');
      assert.equal(a.WorkName, `T${a.Zone}`);
    });
    const sumZone = (z: string) =>
      d.allData.filter((a: any) => a.Zone === z).reduce((s: number, a: any) => s + wh(Number(a.EC))!, 0);
    assert.equal(wh(d.zones['1']), sumZone('1'));
    assert.equal(wh(d.zones['2']), sumZone('2'));
    const saturday = (await energy(energyForm('2026-06-13', '2026-06-13'))).data;
    assert.ok(saturday.allData.every((a: any) => a.Zone === '2'));
  });

  it('answers business points only on /energia/wo/api and ordinary ones only on /energia/api', async () => {
    const date = '2026-06-15';
    await select(WO.id);
    assert.deepEqual(await energy(energyForm(date, date)), { success: false });
    const wo = await energy(energyForm(date, date), true);
    assert.equal(wo.success, true);
    assert.equal(wo.data.tariff, 'C11');
    await select(G11.id);
    assert.deepEqual(await energy(energyForm(date, date), true), { success: false });
  });

  it('gives one value per day for profile month and one per month for profile year', async () => {
    await select(G11.id);
    const month = (await energy(energyForm('2026-02-01', '2026-02-28', 'consum', 'month'))).data;
    assert.equal(month.values.length, 28);
    assert.deepEqual(month.labels.slice(0, 3), [1, 2, 3]);
    assert.equal(month.tooltipLabels[0], '01.02.2026');
    const day5 = sim.hourly(G11.id, '2026-02-05').reduce((s, h) => s + wh(h.ecp)!, 0);
    assert.equal(wh(month.values[4]), day5);
    assert.deepEqual(month.zonesName, { '1': 'Cała doba (T1)' });
    assert.equal(
      wh(month.sum),
      month.values.reduce((s: number, v: number) => s + wh(v)!, 0),
    );

    const year = (await energy(energyForm('2026-01-01', '2026-12-31', 'oze', 'year'))).data;
    assert.equal(year.values.length, 12);
    assert.deepEqual(
      year.labels,
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    assert.ok(year.values[5] > year.values[11], 'June exports more than December');
    assert.equal(year.values[11], null, 'December 2026 is still in the future');
    assert.ok(year.values[10] !== null, 'November has its first days');
    assert.equal(wh(year.zones['1']), wh(year.sum));
  });

  it('serves nothing for today by default and nothing for the future', async () => {
    await select(G11.id);
    const today = (await energy(energyForm(TODAY, TODAY))).data;
    assert.ok(today.values.every((v: unknown) => v === null));
    assert.ok(today.allData.every((a: any) => a.EC === null && a.Status === null));
    assert.equal(today.sum, 0);
    assert.deepEqual(today.zones, { '1': 0 });
    const tomorrow = addLocalDays(TODAY, 1);
    assert.ok((await energy(energyForm(tomorrow, tomorrow))).data.values.every((v: unknown) => v === null));
    const yesterday = addLocalDays(TODAY, -1);
    assert.ok((await energy(energyForm(yesterday, yesterday))).data.values.every((v: unknown) => v !== null));
  });

  it('serves today hour by hour after the set delay', async () => {
    await select(G11.id);
    sim.setTodayDelay(2); // now is 10:30, so hours ending by 08:30 are served: labels 1..8
    const today = (await energy(energyForm(TODAY, TODAY))).data;
    const served = today.allData.filter((a: any) => a.Status !== null).map((a: any) => Number(a.Hour));
    assert.deepEqual(
      served,
      Array.from({ length: 8 }, (_, i) => i + 1),
    );
    assert.equal(today.values[8], null);
    nowMs += 3_600_000;
    const later = (await energy(energyForm(TODAY, TODAY))).data;
    assert.equal(later.allData.filter((a: any) => a.Status !== null).length, 9);
    nowMs -= 3_600_000;
  });

  it('moves today with setToday', async () => {
    await select(G11.id);
    sim.setToday('2026-06-20');
    try {
      const june = (await energy(energyForm('2026-06-20', '2026-06-20'))).data;
      assert.ok(june.values.every((v: unknown) => v === null));
      const before = (await energy(energyForm('2026-06-19', '2026-06-19'))).data;
      assert.ok(before.values.every((v: unknown) => v !== null));
    } finally {
      sim.setToday(TODAY);
    }
  });

  it('answers register readings consistent with the hourly data', async () => {
    await select(G12W.id);
    const from = addLocalDays(TODAY, -7);
    const res = await postJson(b, `${sim.serviceUrl}/odczyty/api`, {
      from: toServiceDate(from),
      to: toServiceDate(TODAY),
      type: 'energia-pobrana',
    });
    assert.equal(res.success, true);
    const readings = res.data;
    assert.equal(readings.length, 7, 'today is not complete, so it has no reading');
    assert.equal(readings[0].Date, `${toServiceDate(from)} 23:59:59`);
    assert.equal(readings[6].Date, `${toServiceDate(addLocalDays(TODAY, -1))} 23:59:59`);
    for (let i = 1; i < readings.length; i++) {
      const date = addLocalDays(from, i);
      const hours = sim.hourly(G12W.id, date);
      const total = hours.reduce((s, h) => s + wh(h.ecp)!, 0);
      const t1 = hours.filter((h) => h.zone === 'T1').reduce((s, h) => s + wh(h.ecp)!, 0);
      assert.equal(wh(readings[i].C)! - wh(readings[i - 1].C)!, total, date);
      assert.equal(wh(readings[i].S1)! - wh(readings[i - 1].S1)!, t1, date);
      assert.equal(wh(readings[i].S1)! + wh(readings[i].S2)!, wh(readings[i].C));
      assert.equal(readings[i].S3, null);
    }

    await select(G11.id);
    const exp = await postJson(b, `${sim.serviceUrl}/odczyty/api`, {
      from: '1.10.2026',
      to: '3.10.2026',
      type: 'energia-oddana',
    });
    assert.equal(exp.data.length, 3);
    const eco = sim.hourly(G11.id, '2026-10-03').reduce((s, h) => s + wh(h.eco)!, 0);
    assert.equal(wh(exp.data[2].C)! - wh(exp.data[1].C)!, eco);
    assert.deepEqual([exp.data[0].S1, exp.data[0].S2, exp.data[0].S3], [null, null, null]);
    const bad = await postJson(b, `${sim.serviceUrl}/odczyty/api`, {
      from: '1.10.2026',
      to: '3.10.2026',
      type: 'x',
    });
    assert.deepEqual(bad, { success: false });
  });

  it('exports the hourly CSV with the 2025 header, grouped by series, with the bogus Content-Encoding', async () => {
    await select(G12W.id);
    const date = '2026-06-15';
    const page = await b.get(csvUrl(sim.serviceUrl, date, date, ['consum', 'oze', 'netto', 'netto_oze']));
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-encoding'), 'UTF-8');
    assert.match(page.headers.get('content-type')!, /text\/csv/);
    const lines = page.body.split('\n');
    assert.equal(lines[0], 'Data; Strefa; Wartość kWh;Rodzaj;');
    assert.equal(lines[lines.length - 1], '', 'ends with a newline');
    const rows = lines.slice(1, -1);
    assert.equal(rows.length, 4 * 24);
    for (const row of rows) assert.match(row, /^2026-06-15 \d{1,2}:00;T[12];\d+,\d{3};[^;]+;$/);
    const kinds = rows.map((r) => r.split(';')[3]);
    assert.deepEqual(
      [...new Set(kinds)],
      ['pobór', 'oddanie', 'pobrana po zbilansowaniu', 'oddana po zbilansowaniu'],
    );
    assert.equal(rows[0].split(';')[0], '2026-06-15 1:00');
    assert.equal(rows[23].split(';')[0], '2026-06-15 24:00');
    const truth = sim.hourly(G12W.id, date);
    truth.forEach((h, i) => {
      const [, zone, value] = rows[i].split(';');
      assert.equal(zone, h.zone);
      assert.equal(wh(Number(value.replace(',', '.'))), wh(h.ecp));
      assert.equal(wh(Number(rows[24 + i].split(';')[2].replace(',', '.'))), wh(h.eco));
    });
  });

  it('exports DST days with 23 rows (no 3:00) and 25 rows (3:00 twice)', async () => {
    await select(G11.id);
    const spring = (await b.get(csvUrl(sim.serviceUrl, '2026-03-29', '2026-03-29', ['consum']))).body;
    const springRows = spring.trim().split('\n').slice(1);
    assert.equal(springRows.length, 23);
    assert.ok(!springRows.some((r) => r.startsWith('2026-03-29 3:00;')));
    const autumn = (await b.get(csvUrl(sim.serviceUrl, '2026-10-25', '2026-10-25', ['oze']))).body;
    const autumnRows = autumn.trim().split('\n').slice(1);
    assert.equal(autumnRows.length, 25);
    assert.equal(autumnRows.filter((r) => r.startsWith('2026-10-25 3:00;')).length, 2);
  });

  it('exports up to a year in one CSV and refuses a longer range with an HTML page', async () => {
    await select(G11.id);
    const from = '2025-11-10';
    const to = addLocalDays(from, 365); // 366 days
    const page = await b.get(csvUrl(sim.serviceUrl, from, to, ['consum']));
    const rows = page.body.trim().split('\n').slice(1);
    const expected = localDatesInRange(from, addLocalDays(TODAY, -1)).reduce(
      (s, d) => s + hoursInLocalDay(d),
      0,
    );
    assert.equal(rows.length, expected, 'every hour up to yesterday, none for today');
    const tooLong = await b.get(csvUrl(sim.serviceUrl, from, addLocalDays(to, 1), ['consum']));
    assert.match(tooLong.headers.get('content-type')!, /text\/html/);
    assert.match(tooLong.body, /^<!DOCTYPE html>/);
    assert.ok(!tooLong.body.includes('Rodzaj'));
  });

  it('switches the CSV header variant and the BOM', async () => {
    await select(G11.id);
    const date = '2026-06-15';
    sim.faults.csvHeader = '2023';
    const old = (await b.get(csvUrl(sim.serviceUrl, date, date, ['consum']))).body.split('\n');
    assert.equal(old[0], 'Data; Wartość kWh;Rodzaj;');
    assert.match(old[1], /^2026-06-15 1:00;\d+,\d{3};pobór;$/);
    sim.faults.csvHeader = '2026';
    sim.faults.csvBom = true;
    const next = (await b.get(csvUrl(sim.serviceUrl, date, date, ['oze']))).body.split('\n');
    assert.equal(next[0], '\ufeffData; Strefa; Wartość ;Rodzaj;Status;');
    assert.match(next[1], /^2026-06-15 1:00;T1;\d+,\d{3};oddanie \[kWh\];licznik;$/);
  });

  it('answers the CSV with an HTML page when no meter point was selected', async () => {
    const fresh = new Browser();
    await logIn(fresh, sim, DEMO_ACCOUNT.username, DEMO_ACCOUNT.password);
    const page = await fresh.get(csvUrl(sim.serviceUrl, '2026-06-15', '2026-06-15', ['consum']));
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.ok(!page.body.includes('Rodzaj'));
  });

  it('fault htmlInsteadOfJson: data endpoints answer a maintenance page with 200', async () => {
    await select(G11.id);
    sim.faults.htmlInsteadOfJson = true;
    const json = await b.post(`${sim.serviceUrl}/energia/api`, energyForm('2026-06-15', '2026-06-15'));
    assert.equal(json.status, 200);
    assert.match(json.body, /^<!DOCTYPE html>/);
    const reads = await b.post(`${sim.serviceUrl}/odczyty/api`, {
      from: '1.06.2026',
      to: '2.06.2026',
      type: 'energia-pobrana',
    });
    assert.match(reads.body, /^<!DOCTYPE html>/);
    const csv = await b.get(csvUrl(sim.serviceUrl, '2026-06-15', '2026-06-15', ['consum']));
    assert.match(csv.body, /^<!DOCTYPE html>/);
  });

  it('fault maintenancePages: the next N requests of the listed paths answer a maintenance page, then data', async () => {
    await select(G11.id);
    sim.faults.maintenancePages = 2;
    sim.faults.maintenancePaths = ['/energia/do/dane'];
    const url = csvUrl(sim.serviceUrl, '2026-06-15', '2026-06-15', ['consum']);
    const page = await b.post(`${sim.serviceUrl}/energia/api`, energyForm('2026-06-15', '2026-06-15'));
    assert.match(page.body, /^\{"success":true/, 'another path is not affected');
    for (let i = 0; i < 2; i++) {
      const csv = await b.get(url);
      assert.equal(csv.status, 200);
      assert.match(csv.body, /^<!DOCTYPE html>/);
      assert.match(csv.body, /Przerwa techniczna/);
    }
    assert.equal(sim.faults.maintenancePages, 0);
    assert.match((await b.get(url)).body, /Rodzaj/);
    sim.faults.maintenancePages = 1;
    sim.faults.maintenancePaths = [];
    const start = await b.get(`${sim.serviceUrl}/`);
    assert.match(start.body, /Przerwa techniczna/, 'every listed path by default, the start page too');
  });

  it('fault successFalse: JSON endpoints answer {"success":false}', async () => {
    await select(G11.id);
    sim.faults.successFalse = true;
    const page = await b.post(`${sim.serviceUrl}/energia/api`, energyForm('2026-06-15', '2026-06-15'));
    assert.equal(page.body, '{"success":false}');
  });

  it('fault nullFromHour: the newest day has no data from that hour on', async () => {
    await select(G11.id);
    const yesterday = addLocalDays(TODAY, -1);
    sim.faults.nullFromHour = 20;
    const d = (await energy(energyForm(addLocalDays(yesterday, -1), yesterday))).data;
    const last = d.allData.slice(24);
    assert.ok(
      d.allData.slice(0, 24).every((a: any) => a.Status === '0'),
      'older days stay complete',
    );
    assert.deepEqual(
      last.filter((a: any) => a.Status === null).map((a: any) => a.Hour),
      ['20', '21', '22', '23', '24'],
    );
    assert.equal(
      sim.hourly(G11.id, yesterday).filter((h) => h.ecp === null).length,
      5,
      'the ground truth shows the same',
    );
    const csvRows = (await b.get(csvUrl(sim.serviceUrl, yesterday, yesterday, ['consum']))).body
      .trim()
      .split('\n');
    assert.equal(csvRows.length, 1 + 19);
  });

  it('fault ecNull: allData EC is null for some hours while values and Status stay', async () => {
    await select(G11.id);
    sim.faults.ecNull = true;
    const d = (await energy(energyForm('2026-06-15', '2026-06-15'))).data;
    const nulls = d.allData.filter((a: any) => a.EC === null);
    assert.deepEqual(
      nulls.map((a: any) => a.Hour),
      ['5', '6', '7'],
    );
    assert.ok(nulls.every((a: any) => a.Status === '0'));
    assert.ok(d.values.every((v: unknown) => typeof v === 'number'));
    sim.faults.ecNull = [1, 24];
    const d2 = (await energy(energyForm('2026-06-15', '2026-06-15'))).data;
    assert.deepEqual(
      d2.allData.filter((a: any) => a.EC === null).map((a: any) => a.Hour),
      ['1', '24'],
    );
  });

  it('fault missingAllData: the JSON comes without allData', async () => {
    await select(G11.id);
    sim.faults.missingAllData = true;
    const d = (await energy(energyForm('2026-06-15', '2026-06-15'))).data;
    assert.equal('allData' in d, false);
    assert.equal(d.values.length, 24);
  });

  it('fault missingDays: a past day without any data', async () => {
    await select(G11.id);
    sim.faults.missingDays = ['2026-06-15'];
    const d = (await energy(energyForm('2026-06-15', '2026-06-15'))).data;
    assert.ok(d.values.every((v: unknown) => v === null));
    const reads = await postJson(b, `${sim.serviceUrl}/odczyty/api`, {
      from: '14.06.2026',
      to: '16.06.2026',
      type: 'energia-pobrana',
    });
    assert.deepEqual(
      reads.data.map((r: any) => r.Date),
      ['14.06.2026 23:59:59', '16.06.2026 23:59:59'],
    );
  });

  it('counts data and CSV requests', async () => {
    sim.stats.reset();
    await select(G11.id);
    await energy(energyForm('2026-06-15', '2026-06-15'));
    await postJson(b, `${sim.serviceUrl}/odczyty/api`, {
      from: '1.06.2026',
      to: '1.06.2026',
      type: 'energia-pobrana',
    });
    await b.get(csvUrl(sim.serviceUrl, '2026-06-15', '2026-06-15', ['consum']));
    assert.equal(sim.stats.dataRequests, 2);
    assert.equal(sim.stats.csvRequests, 1);
    assert.equal(sim.stats.requests['/energia/api'], 1);
    assert.equal(sim.stats.requests['/ustaw_punkt'], 1);
  });
});
