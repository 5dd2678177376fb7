import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

  it('reads the order from date, hour label and repeated flag, and sorts records without them', () => {
    const autumn = randomHours(mulberry32(3), '2026-10-24', '2026-10-26').filter(
      (h) => h.ecp !== null && h.eco !== null,
    );
    const repeated = autumn.findIndex((h) => h.repeated);
    assert.ok(repeated > 0 && autumn[repeated - 1].hour === autumn[repeated].hour, 'both copies of 02:00');
    // in order as they are; the two copies of the repeated hour the other way round, and records
    // without a label, sorted by their start instant
    const swapped = [...autumn];
    [swapped[repeated - 1], swapped[repeated]] = [swapped[repeated], swapped[repeated - 1]];
    const unlabelled = autumn.map(
      ({ hourStart, date, ecp, eco }) => ({ hourStart, date, ecp, eco }) as HourRecord,
    );
    for (const input of [autumn, swapped, unlabelled.slice().reverse(), unlabelled]) {
      const got = balanceHours(input);
      assert.deepEqual(
        got.hours.map((h) => h.hourStart),
        autumn.map((h) => h.hourStart),
      );
      assert.equal(
        outcome(() => got),
        outcome(() => referenceBalanceHours(input)),
      );
    }
    // the same hour twice in a row is refused, as anywhere else
    assert.throws(
      () => balanceHours([...autumn.slice(0, repeated + 1), autumn[repeated], ...autumn.slice(repeated + 1)]),
      /2026-10-25T02:00:00\+01:00 appears twice/,
    );
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

describe('energy/balanced-hour: a balanced hour is what the spread makes, for records of any shape', () => {
  const spread = (
    r: HourRecord,
    ecbp: number | null,
    ecbo: number | null,
    autoconsumption: number | null,
  ) => ({
    ...r,
    ecbp,
    ecbo,
    autoconsumption,
  });

  /** Records of one day in many shapes, each also as the spread makes its balanced hour. */
  function shapes(): HourRecord[] {
    const base = randomHours(mulberry32(11), '2026-03-01', '2026-03-01').filter((h) => h.ecp !== null);
    const inherited = Object.create({ tariff: 'G11' }) as HourRecord;
    Object.assign(inherited, base[2]);
    const nullProto = Object.assign(Object.create(null), base[3]) as HourRecord;
    class Reading {
      constructor(r: HourRecord) {
        Object.assign(this, r);
      }
    }
    const instance = new Reading(base[4]) as unknown as HourRecord;
    const withProtoKey = JSON.parse(
      JSON.stringify({ ...base[5], __proto__x: 1 }).replace('__proto__x', '__proto__'),
    );
    const many = { ...base[6] } as Record<string, unknown>;
    for (let i = 0; i < 80; i++) many[`extra${i}`] = i;
    const out: HourRecord[] = [
      { ...base[0], meterPoint: 'PPE1', tariff: 'G12W' },
      { ...base[1], tauronEcbp: 0.5, tauronEcbo: null, meterPoint: 'PPE1' },
      inherited,
      nullProto,
      instance,
      withProtoKey,
      many as unknown as HourRecord,
      { ...base[7], ecbp: 9, autoconsumption: 1 }, // a balanced hour balanced again
      { ecp: 0.2, hourStart: base[8].hourStart, eco: 0.1, date: base[8].date } as HourRecord, // other order
      { ...base[9], 'a "quoted" \u2028 key': 1, '0': 'index' } as HourRecord,
    ];
    // More shapes than the package makes code for, in one call.
    for (let i = 10; i < base.length; i++) out.push({ ...base[i], [`field${i}`]: i } as HourRecord);
    return out;
  }

  it('keeps every key and value in order and the prototype, as the spread does', () => {
    for (const h of shapes()) {
      const got = balanceHours([h]).hours[0];
      const want = spread(h, got.ecbp, got.ecbo, got.autoconsumption);
      assert.deepStrictEqual(got, want, h.hourStart);
      assert.deepEqual(Object.keys(got), Object.keys(want), h.hourStart);
    }
    const all = shapes();
    assert.equal(
      outcome(() => balanceHours(all)),
      outcome(() => referenceBalanceHours(all)),
    );
  });

  it('gives the same where the runtime makes no code (--disallow-code-generation-from-strings)', () => {
    const script = `
      const { balanceHours } = require(${JSON.stringify(require.resolve('../../src/energy/balance'))});
      const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
      process.stdout.write(JSON.stringify(input.map((h) => balanceHours([h]).hours[0])));`;
    const input = shapes().filter((h) => Object.getPrototypeOf(h) === Object.prototype);
    const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], {
      input: JSON.stringify(input),
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, JSON.stringify(input.map((h) => balanceHours([h]).hours[0])));
    const parsed = JSON.parse(child.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      parsed.map((h) => Object.keys(h)),
      input.map((h) => Object.keys(spread(h, 0, 0, 0))),
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
