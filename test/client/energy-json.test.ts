import assert from 'node:assert/strict';
import { parseEnergyDay, parseEnergyPeriods, zoneTable } from '../../src/client/energy-json';
import { ServiceChangedError } from '../../src/errors';
import { parseRegisterDate, parseRegisterResponse, mergeRegisters } from '../../src/client/registers';
import {
  G11_VALUES,
  REGISTER_SAMPLE,
  g11DaySample,
  g12wValuesOnlySample,
  g13EmptyDaySample,
} from './fixtures';

type Body = { success: boolean; data: Record<string, unknown> };
type Entry = Record<string, unknown>;

function allDataOf(body: Record<string, unknown>): Entry[] {
  return (body as Body).data.allData as Entry[];
}

function autumnAllData(extra: boolean): Entry[] {
  const labels = [1, 2, 3, 3, ...Array.from({ length: 21 }, (_, i) => i + 4)];
  return labels.map((h, i) => ({
    EC: (i / 1000).toFixed(3),
    Date: '2026-10-25T02:00:00.000+02:00',
    Hour: String(h),
    Status: '0',
    ...(extra ? { Extra: i === 3 ? 'T' : 'N' } : {}),
    Zone: '1',
    ZoneName: 'Cała doba',
    Taryfa: 'G11',
  }));
}

describe('client: JSON energy parser', () => {
  it('reads the G11 day sample from allData: 24 hours, zone code and name, tariff', () => {
    const day = parseEnergyDay(g11DaySample(), '2026-03-10');
    assert.equal(day.hours.length, 24);
    assert.equal(day.tariff, 'G11');
    assert.deepEqual(
      day.hours.map((h) => h.value),
      G11_VALUES,
    );
    assert.deepEqual(day.hours[8], {
      date: '2026-03-10',
      hour: 9,
      repeated: false,
      value: 0.132,
      zone: 'T1',
      zoneName: 'Cała doba',
    });
  });

  it('reads the empty G13 day (23 nulls against 24 labels) as 24 null hours', () => {
    const day = parseEnergyDay(g13EmptyDaySample(), '2025-01-03');
    assert.equal(day.hours.length, 24);
    assert.ok(day.hours.every((h) => h.value === null));
    assert.equal(day.hours[0].zone, 'T1');
    assert.equal(day.hours[0].zoneName, 'Szczyt przedpołudniowy');
    assert.equal(day.tariff, 'G13');
  });

  it('reads a partial day: Status null means no value, even when EC has one', () => {
    const body = g11DaySample();
    for (const e of allDataOf(body).slice(18)) e.Status = null;
    const day = parseEnergyDay(body, '2026-03-10');
    assert.deepEqual(
      day.hours.map((h) => h.value === null),
      Array.from({ length: 24 }, (_, i) => i >= 18),
    );
  });

  it('reads EC: null as no value (never 0)', () => {
    const body = g11DaySample();
    allDataOf(body)[7].EC = null;
    const day = parseEnergyDay(body, '2026-03-10');
    assert.equal(day.hours[7].value, null);
    assert.equal(day.hours[6].value, 0.004);
  });

  it('rebuilds hours from values and chartZones when allData is missing', () => {
    const day = parseEnergyDay(g12wValuesOnlySample(), '2025-06-02');
    assert.equal(day.hours.length, 24);
    assert.deepEqual(
      day.hours.map((h) => h.zone),
      Array.from({ length: 24 }, (_, i) => ((i >= 6 && i < 13) || (i >= 15 && i < 22) ? 'T1' : 'T2')),
    );
    assert.equal(day.hours[6].zoneName, 'Szczyt');
    assert.equal(day.hours[0].zoneName, 'Poza szczytem');
    assert.equal(day.hours[23].value, null);
    assert.equal(day.hours[0].value, 0.1);
  });

  it('keeps the previous zone when no chartZones list is true (G11: all false)', () => {
    const body = g11DaySample();
    delete (body as Body).data.allData;
    const day = parseEnergyDay(body, '2026-03-10');
    assert.ok(day.hours.every((h) => h.zone === 'T1' && h.zoneName === 'Cała doba'));
    assert.deepEqual(
      day.hours.map((h) => h.value),
      G11_VALUES,
    );
  });

  it('treats an empty allData list like a missing one', () => {
    const body = g11DaySample();
    (body as Body).data.allData = [];
    assert.equal(parseEnergyDay(body, '2026-03-10').hours.length, 24);
  });

  it('reads the autumn DST day from 25 allData entries with Extra "T" on the repeated hour', () => {
    const body = g11DaySample();
    (body as Body).data.allData = autumnAllData(true);
    const day = parseEnergyDay(body, '2026-10-25');
    assert.equal(day.hours.length, 25);
    assert.deepEqual(
      day.hours.filter((h) => h.hour === 3).map((h) => [h.repeated, h.value]),
      [
        [false, 0.002],
        [true, 0.003],
      ],
    );
  });

  it('reads the autumn DST day without Extra: the second entry of a label is the repeated one', () => {
    const body = g11DaySample();
    (body as Body).data.allData = autumnAllData(false);
    const day = parseEnergyDay(body, '2026-10-25');
    assert.equal(day.hours.length, 25);
    assert.equal(day.hours.filter((h) => h.repeated).length, 1);
  });

  it('reads the spring DST day from 23 allData entries', () => {
    const body = g11DaySample();
    const labels = [1, 2, ...Array.from({ length: 21 }, (_, i) => i + 4)];
    (body as Body).data.allData = labels.map((h) => ({
      EC: '0.5',
      Hour: String(h),
      Status: '0',
      Extra: 'N',
      Zone: '1',
    }));
    const day = parseEnergyDay(body, '2026-03-29');
    assert.equal(day.hours.length, 23);
    assert.ok(!day.hours.some((h) => h.hour === 3));
  });

  it('maps 24 entries on the spring DST day by label and leaves out label 3, which does not exist', () => {
    const body = g11DaySample();
    const day = parseEnergyDay(body, '2026-03-29');
    assert.equal(day.hours.length, 23);
    assert.deepEqual(
      day.hours.map((h) => h.hour),
      [1, 2, ...Array.from({ length: 21 }, (_, i) => i + 4)],
    );
    assert.equal(day.hours[2].value, G11_VALUES[3]);
  });

  it('maps 24 values on the autumn DST day to the labels; the repeated copy is left without a value', () => {
    const body = g11DaySample();
    delete (body as Body).data.allData;
    const day = parseEnergyDay(body, '2026-10-25');
    assert.equal(day.hours.length, 24);
    assert.ok(!day.hours.some((h) => h.repeated));
  });

  it('maps 25 values without labels by position onto the clock hours of the autumn DST day', () => {
    const body = g11DaySample();
    const data = (body as Body).data;
    delete data.allData;
    delete data.labels;
    data.values = Array.from({ length: 25 }, (_, i) => i / 100);
    data.chartZones = { '1': new Array(25).fill(false) };
    const day = parseEnergyDay(body, '2026-10-25');
    assert.equal(day.hours.length, 25);
    assert.deepEqual(
      day.hours.slice(2, 4).map((h) => [h.hour, h.repeated, h.value]),
      [
        [3, false, 0.02],
        [3, true, 0.03],
      ],
    );
  });

  it('maps 25 values with repeating labels on the autumn DST day', () => {
    const body = g11DaySample();
    const data = (body as Body).data;
    delete data.allData;
    data.labels = [1, 2, 3, 3, ...Array.from({ length: 21 }, (_, i) => i + 4)];
    data.values = Array.from({ length: 25 }, () => 1);
    const day = parseEnergyDay(body, '2026-10-25');
    assert.equal(day.hours.length, 25);
    assert.equal(day.hours[3].repeated, true);
  });

  it('accepts numbers in EC and Hour and a decimal comma in strings', () => {
    const body = g11DaySample();
    const all = allDataOf(body);
    all[0].EC = 0.25;
    all[0].Hour = 1;
    all[1].EC = '0,5';
    const day = parseEnergyDay(body, '2026-03-10');
    assert.equal(day.hours[0].value, 0.25);
    assert.equal(day.hours[1].value, 0.5);
  });

  it('rejects success false, a missing data object and unusable entries as SERVICE_CHANGED', () => {
    const changed = (e: unknown) => e instanceof ServiceChangedError && e.code === 'SERVICE_CHANGED';
    assert.throws(() => parseEnergyDay({ success: false }, '2026-03-10'), changed);
    assert.throws(() => parseEnergyDay({ success: true }, '2026-03-10'), changed);
    assert.throws(() => parseEnergyDay('<html>', '2026-03-10'), changed);
    assert.throws(() => parseEnergyDay({ success: true, data: { sum: 1 } }, '2026-03-10'), changed);
    const body = g11DaySample();
    allDataOf(body)[0].Hour = 'x';
    assert.throws(() => parseEnergyDay(body, '2026-03-10'), changed);
    const body2 = g11DaySample();
    allDataOf(body2)[0].EC = 'n/a';
    assert.throws(() => parseEnergyDay(body2, '2026-03-10'), changed);
  });

  it('derives zone codes from workName, a (T…) suffix, or the key', () => {
    const zones = zoneTable({
      zonesName: {
        '1': 'Dzienna pozaszczytowa (zima, dzień wolny) (T1-ZW)',
        '2': 'Poza szczytem',
        '3': 'Reszta dnia (T3)',
      },
      workName: { '3': 'T3x' },
    });
    assert.deepEqual(zones.get('1'), { code: 'T1-ZW', name: 'Dzienna pozaszczytowa (zima, dzień wolny)' });
    assert.deepEqual(zones.get('2'), { code: 'T2', name: 'Poza szczytem' });
    assert.deepEqual(zones.get('3'), { code: 'T3x', name: 'Reszta dnia' });
  });
});

describe('client: JSON totals parser', () => {
  it('reads profile=month values per day by labels, with zones and the total', () => {
    const body = {
      success: true,
      data: {
        values: [1.5, null, 2.25],
        labels: [1, 2, 3],
        sum: 3.75,
        zones: { '1': 2.5, '2': 1.25 },
        zonesName: { '1': 'Szczyt (T1)', '2': 'Poza szczytem (T2)' },
        tariff: 'G12W',
      },
    };
    const parsed = parseEnergyPeriods(body, 'month', '2026-03-01', '2026-03-03');
    assert.deepEqual(parsed.values, [
      { label: '2026-03-01', value: 1.5 },
      { label: '2026-03-02', value: null },
      { label: '2026-03-03', value: 2.25 },
    ]);
    assert.equal(parsed.total, 3.75);
    assert.deepEqual(parsed.zones, { T1: 2.5, T2: 1.25 });
    assert.deepEqual(parsed.zoneNames, { T1: 'Szczyt', T2: 'Poza szczytem' });
    assert.equal(parsed.tariff, 'G12W');
  });

  it('matches values without labels by position, and whole-month answers to a part of the month', () => {
    const byPosition = parseEnergyPeriods(
      { success: true, data: { values: [1, 2], sum: 3 } },
      'month',
      '2026-03-10',
      '2026-03-11',
    );
    assert.deepEqual(
      byPosition.values.map((v) => v.label),
      ['2026-03-10', '2026-03-11'],
    );
    const whole = parseEnergyPeriods(
      { success: true, data: { values: Array.from({ length: 30 }, (_, i) => i), sum: 435 } },
      'month',
      '2026-04-29',
      '2026-04-30',
    );
    assert.deepEqual(whole.values, [
      { label: '2026-04-29', value: 28 },
      { label: '2026-04-30', value: 29 },
    ]);
    assert.throws(
      () =>
        parseEnergyPeriods(
          { success: true, data: { values: [1, 2, 3] } },
          'month',
          '2026-03-10',
          '2026-03-11',
        ),
      ServiceChangedError,
    );
  });

  it('reads profile=year values per month; a year of nulls totals null', () => {
    const parsed = parseEnergyPeriods(
      { success: true, data: { values: [10, 20, null], labels: [1, 2, 3], sum: 30 } },
      'year',
      '2026-01-01',
      '2026-03-31',
    );
    assert.deepEqual(
      parsed.values.map((v) => [v.label, v.value]),
      [
        ['2026-01', 10],
        ['2026-02', 20],
        ['2026-03', null],
      ],
    );
    const empty = parseEnergyPeriods(
      { success: true, data: { values: [null, null], sum: 0, zones: { '1': 0 } } },
      'year',
      '2026-11-01',
      '2026-12-31',
    );
    assert.equal(empty.total, null);
    assert.deepEqual(empty.zones, { T1: null });
  });
  it('totals only the wanted months of a whole-year answer, and gives no zones then', () => {
    const parsed = parseEnergyPeriods(
      {
        success: true,
        data: { values: Array.from({ length: 12 }, (_, i) => i + 0.1), sum: 66.2, zones: { '1': 66.2 } },
      },
      'year',
      '2026-03-01',
      '2026-04-30',
    );
    assert.deepEqual(parsed.values, [
      { label: '2026-03', value: 2.1 },
      { label: '2026-04', value: 3.1 },
    ]);
    assert.equal(parsed.total, 5.2);
    assert.equal(parsed.zones, undefined);
  });
});

describe('client: register parser', () => {
  it('reads the register sample', () => {
    assert.deepEqual(parseRegisterResponse(REGISTER_SAMPLE), [
      { date: '2026-01-09', time: '23:59:59', total: 28969, zones: { S1: null, S2: null, S3: null } },
    ]);
  });

  it('reads zone registers and joins import and export by date', () => {
    const imports = parseRegisterResponse({
      success: true,
      data: [
        { Date: '10.01.2026 23:59:59', C: '100,5', S1: 60.5, S2: 40, S3: null },
        { Date: '09.01.2026 23:59:59', C: 99, S1: 60, S2: 39, S3: null },
      ],
    });
    const exportEntries = parseRegisterResponse({
      success: true,
      data: [{ Date: '10.01.2026 23:59:59', C: 5, S1: null, S2: null, S3: null }],
    });
    const merged = mergeRegisters(imports, exportEntries);
    assert.deepEqual(
      merged.map((r) => [r.date, r.import?.total, r.export?.total ?? null]),
      [
        ['2026-01-09', 99, null],
        ['2026-01-10', 100.5, 5],
      ],
    );
    assert.deepEqual(merged[1].import?.zones, { S1: 60.5, S2: 40, S3: null });
  });

  it('rejects entries without a date or C, and success false', () => {
    assert.throws(() => parseRegisterResponse({ success: true, data: [{ C: 1 }] }), ServiceChangedError);
    assert.throws(
      () => parseRegisterResponse({ success: true, data: [{ Date: '09.01.2026' }] }),
      ServiceChangedError,
    );
    assert.throws(() => parseRegisterResponse({ success: false }), ServiceChangedError);
    assert.throws(() => parseRegisterResponse({ success: true, data: { C: 1 } }), ServiceChangedError);
    assert.deepEqual(parseRegisterResponse({ success: true, data: [] }), []);
  });

  it('reads register dates with and without a time, and ISO dates', () => {
    assert.deepEqual(parseRegisterDate('9.1.2026'), { date: '2026-01-09', time: null });
    assert.deepEqual(parseRegisterDate('2026-01-09 23:59:59'), { date: '2026-01-09', time: '23:59:59' });
    assert.equal(parseRegisterDate('31.02.2026 23:59:59'), undefined);
  });
});
