import assert from 'node:assert/strict';
import { buildHourRecords, daysTimeFields, type SeriesHour } from '../../src/client/hourly';
import { hourTimeFields } from '../../src/energy/hour';
import { hoursOfLocalDay } from '../../src/energy/time';
import { splitRange } from '../../src/client/client';

function day(
  date: string,
  series: SeriesHour['series'],
  labels: [number, boolean][],
  value = 1,
): SeriesHour[] {
  return labels.map(([hour, repeated]) => ({ series, date, hour, repeated, value, zone: 'T1' }));
}

const ALL_24: [number, boolean][] = Array.from({ length: 24 }, (_, i) => [i + 1, false]);

describe('client: hour records', () => {
  it('has one record per clock hour, 23 and 25 on the DST days, sorted, with the repeated hour apart', () => {
    const records = buildHourRecords({ from: '2026-03-28', to: '2026-03-30', series: ['ecp'], values: [] });
    assert.equal(records.length, 24 + 23 + 24);
    const autumn = buildHourRecords({ from: '2026-10-25', to: '2026-10-25', series: ['ecp'], values: [] });
    assert.equal(autumn.length, 25);
    assert.deepEqual(
      autumn.slice(2, 4).map((r) => [r.hour, r.repeated, r.hourStart]),
      [
        [3, false, '2026-10-25T02:00:00+02:00'],
        [3, true, '2026-10-25T02:00:00+01:00'],
      ],
    );
    const starts = autumn.map((r) => Date.parse(r.hourStart));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
  });

  it('puts null where a series has no value and marks only days with every value complete', () => {
    const values = [...day('2026-06-01', 'ecp', ALL_24), ...day('2026-06-01', 'eco', ALL_24, 0)];
    values.push(...day('2026-06-02', 'ecp', ALL_24), ...day('2026-06-02', 'eco', ALL_24.slice(0, 20)));
    const records = buildHourRecords({
      from: '2026-06-01',
      to: '2026-06-02',
      series: ['ecp', 'eco'],
      values,
      meterPoint: '1_2_3',
      tariff: 'G11',
      zoneNames: { T1: 'Cała doba' },
    });
    assert.equal(records.length, 48);
    assert.ok(records.slice(0, 24).every((r) => r.dayComplete && r.eco === 0 && r.ecp === 1));
    assert.ok(records.slice(24).every((r) => !r.dayComplete));
    assert.equal(records[47].eco, null);
    assert.equal(records[47].ecp, 1);
    assert.deepEqual(
      {
        zone: records[0].zone,
        zoneName: records[0].zoneName,
        meterPoint: records[0].meterPoint,
        tariff: records[0].tariff,
      },
      { zone: 'T1', zoneName: 'Cała doba', meterPoint: '1_2_3', tariff: 'G11' },
    );
    assert.equal('tauronEcbp' in records[0], false);
  });

  it('adds the TAURON series only when fetched; ecp and eco are always there', () => {
    const records = buildHourRecords({
      from: '2026-06-01',
      to: '2026-06-01',
      series: ['tauronEcbo'],
      values: day('2026-06-01', 'tauronEcbo', ALL_24, 0.5),
    });
    assert.equal(records[0].tauronEcbo, 0.5);
    assert.equal(records[0].ecp, null);
    assert.equal(records[0].eco, null);
    assert.ok(records.every((r) => r.dayComplete));
  });

  it('writes the same time fields as hourTimeFields on every day of a year, DST days included', () => {
    let days = 0;
    for (const { date, hours } of daysTimeFields('2026-01-01', '2026-12-31')) {
      assert.deepEqual(hours, hoursOfLocalDay(date).map(hourTimeFields), date);
      days += 1;
    }
    assert.equal(days, 365);
  });

  it('splits ranges into requests of at most N days', () => {
    assert.deepEqual(splitRange('2025-01-01', '2025-12-31', 366), [{ from: '2025-01-01', to: '2025-12-31' }]);
    assert.deepEqual(splitRange('2024-01-01', '2025-01-02', 366), [
      { from: '2024-01-01', to: '2024-12-31' },
      { from: '2025-01-01', to: '2025-01-02' },
    ]);
    assert.deepEqual(splitRange('2025-01-01', '2025-01-01', 1), [{ from: '2025-01-01', to: '2025-01-01' }]);
  });
});
