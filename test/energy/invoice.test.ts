import assert from 'node:assert/strict';
import { BadInputError } from '../../src/errors';
import { balanceWh } from '../../src/energy/balance';
import { kwhToWh, makeHourRecord, whToKwh, type HourRecord } from '../../src/energy/hour';
import { invoiceSummary } from '../../src/energy/invoice';
import { hoursOfLocalDay, localDatesInRange } from '../../src/energy/time';
import { mulberry32 } from '../../src/simulator/data';

/** Hours of a G12 point for the dates, with seeded values and TAURON's series equal to the balance. */
function g12Hours(from: string, to: string, seed = 7): HourRecord[] {
  const rnd = mulberry32(seed);
  return localDatesInRange(from, to).flatMap((date) =>
    hoursOfLocalDay(date).map((h) => {
      const startHour = h.hour - 1;
      const peak = (startHour >= 6 && startHour < 13) || (startHour >= 15 && startHour < 22);
      const ecp = whToKwh(Math.floor(rnd() * 2000));
      const eco = whToKwh(startHour > 8 && startHour < 17 ? Math.floor(rnd() * 3000) : 0);
      const b = balanceWh(kwhToWh(ecp), kwhToWh(eco));
      return makeHourRecord(date, h.hour, h.repeated, {
        ecp,
        eco,
        tauronEcbp: whToKwh(b.ecbp),
        tauronEcbo: whToKwh(b.ecbo),
        zone: peak ? 'T1' : 'T2',
        zoneName: peak ? 'Szczyt' : 'Poza szczytem',
        dayComplete: true,
        meterPoint: 'P1',
        tariff: 'G12',
      });
    }),
  );
}

describe('energy/invoice', () => {
  it('counts 23 and 25 clock hours on the DST days of a period', () => {
    const spring = invoiceSummary(g12Hours('2026-03-28', '2026-03-30'), '2026-03-28', '2026-03-30');
    assert.equal(spring.total.hours, 24 + 23 + 24);
    assert.equal(spring.hours.filter((h) => h.date === '2026-03-29').length, 23);
    const autumn = invoiceSummary(g12Hours('2026-10-25', '2026-10-25'), '2026-10-25', '2026-10-25');
    assert.equal(autumn.total.hours, 25);
    assert.deepEqual(
      autumn.hours.filter((h) => h.hour === 3).map((h) => [h.hourStart, h.repeated]),
      [
        ['2026-10-25T02:00:00+02:00', false],
        ['2026-10-25T02:00:00+01:00', true],
      ],
    );
    assert.equal(autumn.complete, true);
    assert.equal(autumn.tauron!.matches, true);
    assert.equal(autumn.tauron!.hoursCompared, 25);
  });

  it('sums a G12 point over all zones and per zone; the zones add up to the total in Wh', () => {
    const records = g12Hours('2026-10-01', '2026-10-31');
    const s = invoiceSummary(records, '2026-10-01', '2026-10-31');
    assert.equal(s.meterPoint, 'P1');
    assert.equal(s.tariff, 'G12');
    assert.deepEqual(Object.keys(s.zones), ['T1', 'T2']);
    assert.equal(s.zones.T1.zoneName, 'Szczyt');
    assert.equal(s.total.hours, 31 * 24 + 1);
    for (const k of ['ecp', 'eco', 'ecbp', 'ecbo', 'autoconsumption'] as const) {
      assert.equal(kwhToWh(s.zones.T1[k]) + kwhToWh(s.zones.T2[k]), kwhToWh(s.total[k]), k);
      const wh = records.reduce((sum, r) => {
        const b = balanceWh(kwhToWh(r.ecp!), kwhToWh(r.eco!));
        const v = k === 'ecp' ? kwhToWh(r.ecp!) : k === 'eco' ? kwhToWh(r.eco!) : b[k];
        return sum + v;
      }, 0);
      assert.equal(kwhToWh(s.total[k]), wh, k);
    }
    assert.equal(s.zones.T1.hours + s.zones.T2.hours, s.total.hours);
    // ECBP + autoconsumption = ECP and ECBO + autoconsumption = ECO, over any period.
    assert.equal(kwhToWh(s.total.ecbp) + kwhToWh(s.total.autoconsumption), kwhToWh(s.total.ecp));
    assert.equal(kwhToWh(s.total.ecbo) + kwhToWh(s.total.autoconsumption), kwhToWh(s.total.eco));
  });

  it('lists the hours a late day does not have yet, and leaves them out of the sums', () => {
    const records = g12Hours('2026-11-20', '2026-11-21');
    const late = records.map((r) =>
      r.date === '2026-11-21' && r.hour >= 15
        ? { ...r, ecp: null, eco: null, tauronEcbp: null, tauronEcbo: null, dayComplete: false }
        : r,
    );
    const full = invoiceSummary(records, '2026-11-20', '2026-11-21');
    const s = invoiceSummary(late, '2026-11-20', '2026-11-21');
    assert.equal(s.complete, false);
    assert.equal(s.total.hours, 48);
    assert.equal(s.total.missingHours, 10);
    assert.equal(s.missing.length, 10);
    assert.equal(s.missing[0], '2026-11-21T14:00:00+01:00');
    const present = records.filter((r) => !(r.date === '2026-11-21' && r.hour >= 15));
    assert.equal(
      kwhToWh(s.total.ecp),
      present.reduce((sum, r) => sum + kwhToWh(r.ecp!), 0),
      'the sum of the hours there are',
    );
    assert.ok(s.total.ecp < full.total.ecp);
    assert.ok(
      s.hours.filter((h) => h.ecbp === null).every((h) => h.ecp === null && h.autoconsumption === null),
    );
    assert.deepEqual(s.tauron!.missing.ours, s.missing);
    assert.equal(s.tauron!.hoursCompared, 38);
  });

  it('lists hours the records do not have at all as missing, and ignores hours outside the period', () => {
    const records = g12Hours('2026-06-09', '2026-06-11').filter(
      (r) => !(r.date === '2026-06-10' && r.hour === 13),
    );
    const s = invoiceSummary(records, '2026-06-10', '2026-06-10');
    assert.equal(s.total.hours, 24);
    assert.deepEqual(s.missing, ['2026-06-10T12:00:00+02:00']);
    const gap = s.hours.find((h) => h.hour === 13)!;
    assert.deepEqual(
      [gap.ecp, gap.eco, gap.ecbp, gap.tauronEcbp, gap.tauronEcbo],
      [null, null, null, null, null],
    );
    assert.equal(gap.meterPoint, 'P1');
    assert.equal(
      s.zones.T1.hours + s.zones.T2.hours,
      23,
      'a missing hour without a zone counts in the total only',
    );
    const none = invoiceSummary([], '2026-03-29', '2026-03-29');
    assert.equal(none.total.hours, 23);
    assert.equal(none.total.missingHours, 23);
    assert.equal(none.tauron, null);
    assert.deepEqual(Object.keys(none.zones), ['all']);
  });

  it('shows where TAURON differs in the period', () => {
    const records = g12Hours('2026-10-25', '2026-10-26');
    const repeated = records.find((r) => r.date === '2026-10-25' && r.repeated)!;
    repeated.tauronEcbp = repeated.tauronEcbp! + 0.125;
    const s = invoiceSummary(records, '2026-10-25', '2026-10-26');
    assert.deepEqual(
      s.tauron!.differences.map((d) => [d.hourStart, d.difference.ecbp]),
      [['2026-10-25T02:00:00+01:00', 0.125]],
    );
    assert.equal(s.tauron!.difference.ecbp, 0.125);
  });

  it('refuses an invalid period and two records of one hour', () => {
    assert.throws(() => invoiceSummary([], '2026-06-10', '2026-06-09'), BadInputError);
    assert.throws(() => invoiceSummary([], '2026-02-30', '2026-03-01'), BadInputError);
    const r = g12Hours('2026-06-10', '2026-06-10');
    assert.throws(() => invoiceSummary([...r, r[5]], '2026-06-10', '2026-06-10'), /appears twice/);
  });
});
