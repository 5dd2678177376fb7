import assert from 'node:assert/strict';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { hoursOfLocalDay } from '../../src/energy/time';
import { periodBounds, periodLabel, periodsInRange, totalsFromHours } from '../../src/energy/totals';

function dayRecords(date: string, ecp: number | null, eco: number | null, zone = 'T1'): HourRecord[] {
  return hoursOfLocalDay(date).map((h) =>
    makeHourRecord(date, h.hour, h.repeated, {
      ecp,
      eco,
      zone: h.hour > 12 ? 'T2' : zone,
      zoneName: h.hour > 12 ? 'Poza szczytem' : 'Szczyt',
      dayComplete: ecp !== null && eco !== null,
      meterPoint: '1_2_3',
      tariff: 'G12W',
    }),
  );
}

describe('energy: totals', () => {
  it('labels and bounds periods', () => {
    assert.equal(periodLabel('2026-03-10', 'day'), '2026-03-10');
    assert.equal(periodLabel('2026-03-10', 'month'), '2026-03');
    assert.equal(periodLabel('2026-03-10', 'year'), '2026');
    assert.deepEqual(periodBounds('2024-02', 'month'), { from: '2024-02-01', to: '2024-02-29' });
    assert.deepEqual(periodBounds('2026-12', 'month'), { from: '2026-12-01', to: '2026-12-31' });
    assert.deepEqual(periodsInRange('2026-01-30', '2026-03-02', 'month'), [
      { label: '2026-01', from: '2026-01-30', to: '2026-01-31' },
      { label: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { label: '2026-03', from: '2026-03-01', to: '2026-03-02' },
    ]);
  });

  it('sums hours per day in exact Wh, with a split per zone code and the zone names', () => {
    const records = [...dayRecords('2026-06-01', 0.1, 0.2), ...dayRecords('2026-06-02', 0.3, null)];
    const totals = totalsFromHours(records, 'day');
    assert.equal(totals.length, 2);
    assert.deepEqual(totals[0], {
      period: 'day',
      label: '2026-06-01',
      from: '2026-06-01',
      to: '2026-06-01',
      ecp: 2.4,
      eco: 4.8,
      complete: true,
      zones: { T1: { ecp: 1.2, eco: 2.4 }, T2: { ecp: 1.2, eco: 2.4 } },
      zoneNames: { T1: 'Szczyt', T2: 'Poza szczytem' },
      meterPoint: '1_2_3',
      tariff: 'G12W',
    });
    assert.equal(totals[1].ecp, 7.2);
    assert.equal(totals[1].eco, null);
    assert.equal(totals[1].complete, false);
  });

  it('sums months and years over DST days (23 and 25 hours)', () => {
    const records = [...dayRecords('2026-03-29', 1, 0), ...dayRecords('2026-10-25', 1, 0)];
    const months = totalsFromHours(records, 'month', ['ecp']);
    assert.deepEqual(
      months.map((m) => [m.label, m.ecp, 'eco' in m]),
      [
        ['2026-03', 23, false],
        ['2026-10', 25, false],
      ],
    );
    const years = totalsFromHours(records, 'year');
    assert.equal(years.length, 1);
    assert.equal(years[0].ecp, 48);
    assert.equal(years[0].from, '2026-03-29');
    assert.equal(years[0].to, '2026-10-25');
  });

  it('sums the TAURON series when the records carry them', () => {
    const records = dayRecords('2026-06-01', 1, 0).map((r) => ({ ...r, tauronEcbp: 1 }));
    const [total] = totalsFromHours(records, 'day');
    assert.equal(total.tauronEcbp, 24);
    assert.equal('tauronEcbo' in total, false);
  });
});
