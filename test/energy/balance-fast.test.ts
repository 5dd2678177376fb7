import assert from 'node:assert/strict';
import { balanceHours, normaliseHours } from '../../src/energy/balance';
import { hourTimeFields, makeHourRecord, parseInstant, type HourRecord } from '../../src/energy/hour';
import { hourContaining, hoursOfLocalDay, localDatesInRange } from '../../src/energy/time';
import { mulberry32 } from '../../src/simulator/data';
import { referenceBalanceHours } from './balance-reference';

/** The result or the error message, for comparing two implementations. */
function outcome(fn: () => unknown): string {
  try {
    return JSON.stringify(fn());
  } catch (err) {
    return `throws ${(err as Error).name}: ${(err as Error).message}`;
  }
}

function randomHours(rand: () => number, from: string, to: string): HourRecord[] {
  const zones = [null, 'T1', 'T2', 'T3'];
  const out: HourRecord[] = [];
  for (const date of localDatesInRange(from, to)) {
    for (const h of hoursOfLocalDay(date)) {
      if (rand() < 0.2) continue; // gaps
      const value = () => (rand() < 0.05 ? null : Math.round(rand() * 3000) / 1000);
      const r = makeHourRecord(date, h.hour, h.repeated, {
        ecp: value(),
        eco: value(),
        zone: zones[Math.floor(rand() * zones.length)],
        dayComplete: rand() < 0.5,
      });
      if (rand() < 0.1) r.meterPoint = 'PPE1';
      if (rand() < 0.1) r.tauronEcbp = value();
      out.push(r);
    }
  }
  return out;
}

function shuffle<T>(rand: () => number, list: T[]): T[] {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('energy/balance: the single pass gives what the grouping passes give', () => {
  it('for ordered, shuffled, one-hour, empty and duplicate inputs across DST days', () => {
    const rand = mulberry32(20260329);
    for (let run = 0; run < 60; run++) {
      const start = localDatesInRange('2025-03-25', '2025-11-05')[Math.floor(rand() * 200)];
      const days = 1 + Math.floor(rand() * 40);
      const to = localDatesInRange(start, '2026-12-31')[days];
      let hours = randomHours(rand, start, to);
      const kind = run % 5;
      if (kind === 1) hours = shuffle(rand, hours);
      if (kind === 2) hours = hours.slice(0, 1);
      if (kind === 3) hours = [];
      if (kind === 4 && hours.length > 2) hours = shuffle(rand, [...hours, { ...hours[1], ecp: 9 }]);
      assert.equal(
        outcome(() => balanceHours(hours)),
        outcome(() => referenceBalanceHours(hours)),
        `run ${run} (kind ${kind}, ${hours.length} hours)`,
      );
    }
  });

  it('for one hour at a time (the one-hour path), with values, nulls, zones and extra fields', () => {
    const rand = mulberry32(42);
    const hours = randomHours(rand, '2026-03-28', '2026-03-30').concat(
      randomHours(rand, '2026-10-24', '2026-10-26'),
    );
    hours.push({ ...hours[0], tariff: 'G12W', extra: { a: 1 } } as HourRecord);
    assert.ok(hours.length > 100);
    for (const h of hours) {
      assert.equal(
        outcome(() => balanceHours([h])),
        outcome(() => referenceBalanceHours([h])),
        h.hourStart,
      );
    }
  });

  it('times one-hour messages without a time by the hour they arrive in, across hour and DST changes', () => {
    const starts = [
      Date.parse('2026-10-25T00:00:00Z'),
      Date.parse('2026-03-29T00:00:00Z'),
      Date.parse('2026-06-01T10:00:00Z'),
    ];
    for (const start of starts) {
      for (let now = start; now < start + 3 * 3_600_000; now += 599_999) {
        const [r] = normaliseHours({ ecp: 1, eco: 2 }, now);
        const expected = hourTimeFields(hourContaining(now));
        assert.deepEqual(
          { hourStart: r.hourStart, hourEnd: r.hourEnd, date: r.date, hour: r.hour, repeated: r.repeated },
          expected,
        );
      }
    }
  });

  it('for records whose date field does not follow their instant', () => {
    const hours = randomHours(mulberry32(7), '2026-01-30', '2026-02-02').map((h, i) => ({
      ...h,
      date: i % 3 === 0 ? '2026-01-31' : h.date,
    }));
    assert.equal(
      outcome(() => balanceHours(hours)),
      outcome(() => referenceBalanceHours(hours)),
    );
  });
});

describe('energy/hour: parseInstant', () => {
  it('gives what Date.parse gives, for hour records and for texts out of its shortcut', () => {
    const texts = [
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-02-31T00:00:00+01:00', // Date.parse rolls over
      '2026-01-01T24:00:00+01:00',
      '2026-01-01T23:60:00+01:00',
      '2026-13-01T00:00:00+01:00',
      '2026-00-10T00:00:00+01:00',
      '2026-01-00T00:00:00+01:00',
      '2026-01-01T12:00:00+24:00',
      '2026-01-01T12:00:00-05:30',
      '0050-01-01T00:00:00+01:00',
      '0150-01-01T00:00:00+01:00',
      '2026-01-01T12:00:00.5+01',
      '2026-01-01T12:00:00Z',
      '2026-01-01 12:00:00+01:00',
      '2026-01-01T12:00:0a+01:00',
      'x026-01-01T12:00:00+01:00',
      'not a time at all, really',
      '',
    ];
    for (const date of localDatesInRange('2025-01-01', '2026-12-31')) {
      for (const h of hoursOfLocalDay(date)) texts.push(makeHourRecord(date, h.hour, h.repeated).hourStart);
    }
    for (const text of texts) assert.deepEqual(parseInstant(text), Date.parse(text), text);
  });
});
