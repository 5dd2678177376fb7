import assert from 'node:assert/strict';
import { balanceHours } from '../../src/energy/balance';
import { compareWithTauron, tauronQuantities } from '../../src/energy/check';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';

function hour(
  date: string,
  label: number,
  ecp: number | null,
  eco: number | null,
  tauron: { ecbp?: number | null; ecbo?: number | null } = {},
  extra: Partial<HourRecord> = {},
): HourRecord {
  const r = makeHourRecord(date, label, extra.repeated ?? false, {
    ecp,
    eco,
    zone: 'T1',
    zoneName: 'Cała doba',
    dayComplete: true,
    ...extra,
  });
  if ('ecbp' in tauron) r.tauronEcbp = tauron.ecbp;
  if ('ecbo' in tauron) r.tauronEcbo = tauron.ecbo;
  return r;
}

describe('energy/check', () => {
  it('is null when the records carry no TAURON series', () => {
    assert.equal(compareWithTauron([hour('2026-06-10', 12, 1, 2)]), null);
    assert.deepEqual(tauronQuantities([hour('2026-06-10', 12, 1, 2, { ecbo: null })]), ['ecbo']);
  });

  it('agrees with TAURON when its series is the hourly balance, in exact Wh', () => {
    // 0.1 + 0.2 in floating point is not 0.3; the sums are made in Wh.
    const records = [
      hour('2026-06-10', 11, 1.03, 3, { ecbp: 0, ecbo: 1.97 }),
      hour('2026-06-10', 12, 0.1, 0.3, { ecbp: 0, ecbo: 0.2 }),
      hour('2026-06-10', 19, 5.01, 1.04, { ecbp: 3.97, ecbo: 0 }),
    ];
    const check = compareWithTauron(records)!;
    assert.equal(check.matches, true);
    assert.equal(check.hoursCompared, 3);
    assert.equal(check.hoursDiffering, 0);
    assert.deepEqual(check.ours, { ecbp: 3.97, ecbo: 2.17 });
    assert.deepEqual(check.tauron, { ecbp: 3.97, ecbo: 2.17 });
    assert.deepEqual(check.difference, { ecbp: 0, ecbo: 0 });
    assert.deepEqual(check.differences, []);
  });

  it('lists the hours that differ, by how much, and the totals of both sides', () => {
    const records = [
      hour('2026-06-10', 12, 1, 3, { ecbp: 0, ecbo: 2.1 }),
      hour('2026-06-10', 13, 1, 3, { ecbp: 0, ecbo: 2 }),
      hour('2026-06-10', 20, 4.3, 1.7, { ecbp: 2.45, ecbo: 0.05 }),
    ];
    const check = compareWithTauron(records)!;
    assert.equal(check.matches, false);
    assert.equal(check.hoursDiffering, 2);
    assert.deepEqual(
      check.differences.map((d) => [d.hourStart, d.hour, d.ours, d.tauron, d.difference]),
      [
        [
          '2026-06-10T11:00:00+02:00',
          12,
          { ecbp: 0, ecbo: 2 },
          { ecbp: 0, ecbo: 2.1 },
          { ecbp: 0, ecbo: 0.1 },
        ],
        [
          '2026-06-10T19:00:00+02:00',
          20,
          { ecbp: 2.6, ecbo: 0 },
          { ecbp: 2.45, ecbo: 0.05 },
          { ecbp: -0.15, ecbo: 0.05 },
        ],
      ],
    );
    assert.deepEqual(check.ours, { ecbp: 2.6, ecbo: 4 });
    assert.deepEqual(check.tauron, { ecbp: 2.45, ecbo: 4.15 });
    assert.deepEqual(check.difference, { ecbp: -0.15, ecbo: 0.15 });
  });

  it('compares only the series that were fetched', () => {
    const check = compareWithTauron([
      hour('2026-06-10', 12, 1, 3, { ecbo: 2 }),
      hour('2026-06-10', 20, 4, 1, { ecbo: 0.5 }),
    ])!;
    assert.deepEqual(check.quantities, ['ecbo']);
    assert.deepEqual(check.ours, { ecbo: 2 });
    assert.deepEqual(check.tauron, { ecbo: 2.5 });
    assert.deepEqual(check.differences[0].difference, { ecbo: 0.5 });
  });

  it('leaves out and lists hours without ECP/ECO or without TAURON value, never as 0', () => {
    const check = compareWithTauron([
      hour('2026-06-10', 12, 1, 3, { ecbp: 0, ecbo: 2 }),
      hour('2026-06-10', 13, null, 3, { ecbp: 0, ecbo: 2 }),
      hour('2026-06-10', 14, 1, null, { ecbp: null, ecbo: null }),
      hour('2026-06-10', 15, 2, 1, { ecbp: 1, ecbo: null }),
    ])!;
    assert.equal(check.hoursCompared, 1);
    assert.equal(check.matches, true);
    assert.deepEqual(check.missing, {
      ours: ['2026-06-10T12:00:00+02:00', '2026-06-10T13:00:00+02:00'],
      tauron: ['2026-06-10T14:00:00+02:00'],
    });
    assert.deepEqual(check.tauron, { ecbp: 0, ecbo: 2 });
  });

  it('sums per zone of a G12 point, and the zones add up to the total', () => {
    const t1 = { zone: 'T1', zoneName: 'Szczyt' };
    const t2 = { zone: 'T2', zoneName: 'Poza szczytem' };
    const check = compareWithTauron([
      hour('2026-06-10', 1, 0.4, 0, { ecbp: 0.4, ecbo: 0 }, t2),
      hour('2026-06-10', 12, 0.5, 2.5, { ecbp: 0, ecbo: 2.2 }, t1),
      hour('2026-06-10', 14, 0.3, 1.3, { ecbp: 0, ecbo: 1 }, t2),
      hour('2026-06-10', 20, 1.8, 0.1, { ecbp: 1.8, ecbo: 0 }, t1),
    ])!;
    assert.deepEqual(Object.keys(check.zones), ['T1', 'T2']);
    assert.deepEqual(check.zones.T1, {
      hoursCompared: 2,
      hoursDiffering: 2,
      ours: { ecbp: 1.7, ecbo: 2 },
      tauron: { ecbp: 1.8, ecbo: 2.2 },
      difference: { ecbp: 0.1, ecbo: 0.2 },
    });
    assert.deepEqual(check.zones.T2.difference, { ecbp: 0, ecbo: 0 });
    assert.equal(check.zones.T1.ours.ecbo! + check.zones.T2.ours.ecbo!, check.ours.ecbo);
    assert.equal(check.zones.T1.tauron.ecbp! + check.zones.T2.tauron.ecbp!, check.tauron.ecbp);
  });

  it('keeps the two copies of the repeated autumn hour apart', () => {
    const date = '2026-10-25';
    const check = compareWithTauron([
      hour(date, 3, 0.3, 0, { ecbp: 0.3, ecbo: 0 }),
      hour(date, 3, 0.2, 0, { ecbp: 0.35, ecbo: 0 }, { repeated: true }),
      hour(date, 2, 0.25, 0, { ecbp: 0.25, ecbo: 0 }),
    ])!;
    assert.equal(check.hoursCompared, 3);
    assert.deepEqual(
      check.differences.map((d) => [d.hourStart, d.repeated, d.difference.ecbp]),
      [['2026-10-25T02:00:00+01:00', true, 0.15]],
    );
  });

  it('takes balanced records as they come from the balance step', () => {
    const records = balanceHours([hour('2026-06-10', 12, 1, 3, { ecbp: 0, ecbo: 1.5 })]).hours;
    assert.deepEqual(compareWithTauron(records)!.difference, { ecbp: 0, ecbo: -0.5 });
  });
});
