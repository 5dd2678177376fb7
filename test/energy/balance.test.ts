import assert from 'node:assert/strict';
import { balanceHours, balanceWh, normaliseHours, readEnergy } from '../../src/energy/balance';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { hoursOfLocalDay } from '../../src/energy/time';
import { mulberry32 } from '../../src/simulator/data';

function hour(date: string, label: number, ecp: number | null, eco: number | null, zone = 'T1'): HourRecord {
  return makeHourRecord(date, label, false, { ecp, eco, zone, zoneName: null, dayComplete: true });
}

/** The seeded generator the property tests share with the simulator, so runs repeat. */
const rng = mulberry32;

describe('energy/balance', () => {
  it('matches the TAURON worked example for 11:00 and 12:00 (surplus hours)', () => {
    // 11:00 is the hour 10:00–11:00 (label 11); ECBO 3 − 1.03 = 1.97 and 3.2 − 1.5 = 1.7 → 3.67.
    const r = balanceHours([hour('2026-06-10', 11, 1.03, 3), hour('2026-06-10', 12, 1.5, 3.2)]);
    assert.deepEqual(
      r.hours.map((h) => [h.ecbp, h.ecbo, h.autoconsumption]),
      [
        [0, 1.97, 1.03],
        [0, 1.7, 1.5],
      ],
    );
    assert.equal(r.total.ecbp, 0);
    assert.equal(r.total.ecbo, 3.67);
    assert.equal(r.total.autoconsumption, 2.53);
  });

  it('matches the TAURON worked example for 18:00 and 19:00 (import hours)', () => {
    // 4.3 − 1.7 = 2.6 and 5.01 − 1.04 = 3.97 → ECBP 6.57; autoconsumption 1.7 + 1.04 = 2.74.
    const r = balanceHours([hour('2026-06-10', 18, 4.3, 1.7), hour('2026-06-10', 19, 5.01, 1.04)]);
    assert.deepEqual(
      r.hours.map((h) => [h.ecbp, h.ecbo, h.autoconsumption]),
      [
        [2.6, 0, 1.7],
        [3.97, 0, 1.04],
      ],
    );
    assert.equal(r.total.ecbp, 6.57);
    assert.equal(r.total.ecbo, 0);
    assert.equal(r.total.autoconsumption, 2.74);
    assert.equal(r.total.selfUseShare, 1);
  });

  it('never carries surplus from one hour to the next', () => {
    const r = balanceHours([hour('2026-06-10', 12, 0, 5), hour('2026-06-10', 20, 5, 0)]);
    assert.equal(r.total.ecbp, 5);
    assert.equal(r.total.ecbo, 5);
    assert.equal(r.total.autoconsumption, 0);
  });

  it('holds the identities for thousands of random hours and sums match the hours exactly', () => {
    const rand = rng(42);
    const records: HourRecord[] = [];
    for (const date of ['2026-03-29', '2026-06-01', '2026-10-25', '2026-12-31']) {
      for (const h of hoursOfLocalDay(date)) {
        records.push(
          makeHourRecord(date, h.hour, h.repeated, {
            ecp: Math.round(rand() * 6000) / 1000,
            eco: Math.round(rand() * 6000) / 1000,
            zone: rand() < 0.5 ? 'T1' : 'T2',
          }),
        );
      }
    }
    for (let i = 0; i < 5000; i++) {
      const ecp = Math.round(rand() * 10000);
      const eco = Math.round(rand() * 10000);
      const b = balanceWh(ecp, eco);
      assert.equal(b.ecbp - b.ecbo, ecp - eco);
      assert.equal(b.autoconsumption + b.ecbp, ecp);
      assert.equal(b.autoconsumption + b.ecbo, eco);
      assert.ok(b.ecbp === 0 || b.ecbo === 0);
    }
    const r = balanceHours(records);
    assert.equal(r.hours.length, 23 + 24 + 25 + 24);
    let ecbpWh = 0;
    for (const h of r.hours) {
      ecbpWh += Math.round(h.ecbp! * 1000);
      assert.equal(Math.round((h.ecbp! - h.ecbo!) * 1000), Math.round((h.ecp! - h.eco!) * 1000));
    }
    assert.equal(Math.round(r.total.ecbp * 1000), ecbpWh);
    const zoneSum = Object.values(r.zones).reduce((s, z) => s + Math.round(z.ecbo * 1000), 0);
    assert.equal(zoneSum, Math.round(r.total.ecbo * 1000));
    const daySum = Object.values(r.days).reduce((s, d) => s + d.hours, 0);
    assert.equal(daySum, r.hours.length);
  });

  it('balances DST days per real hour: 23 in spring, 25 in autumn with the repeated hour apart', () => {
    const autumn = hoursOfLocalDay('2026-10-25').map((h) =>
      makeHourRecord('2026-10-25', h.hour, h.repeated, { ecp: 1, eco: h.repeated ? 3 : 0 }),
    );
    const r = balanceHours(autumn);
    assert.equal(r.days['2026-10-25'].hours, 25);
    assert.equal(r.total.ecbo, 2); // only the repeated (CET) copy of 02:00–03:00 exported
    assert.equal(r.total.ecbp, 24);
    const spring = hoursOfLocalDay('2026-03-29').map((h) =>
      makeHourRecord('2026-03-29', h.hour, false, { ecp: 1, eco: 0 }),
    );
    assert.equal(balanceHours(spring).total.ecbp, 23);
  });

  it('reports hours without a value as missing, never as 0', () => {
    const r = balanceHours([hour('2026-06-10', 1, 1, 0), hour('2026-06-10', 2, null, 0.5)]);
    assert.equal(r.hours[1].ecbp, null);
    assert.equal(r.total.missingHours, 1);
    assert.equal(r.total.complete, false);
    assert.equal(r.total.eco, 0);
    assert.deepEqual(r.missing, ['2026-06-10T01:00:00+02:00']);
  });

  it('sums per day and zone for a two-zone tariff', () => {
    const r = balanceHours([
      hour('2026-06-10', 12, 0.5, 2, 'T1'),
      hour('2026-06-10', 23, 2, 0, 'T2'),
      hour('2026-06-11', 12, 1, 0.25, 'T1'),
    ]);
    assert.equal(r.dayZones['2026-06-10'].T1.ecbo, 1.5);
    assert.equal(r.dayZones['2026-06-10'].T2.ecbp, 2);
    assert.equal(r.zones.T1.ecbp, 0.75);
    assert.equal(r.months['2026-06'].hours, 3);
  });

  describe('normaliseHours', () => {
    it('takes the fetch node output, arrays and single hours in any spelling', () => {
      const fromFetch = normaliseHours({ hours: [hour('2026-06-10', 12, 1, 2)] });
      assert.equal(fromFetch[0].ecp, 1);
      const single = normaliseHours({ ECP: '1,25', Eco: 0.5, hourStart: '2026-06-10T10:15:00Z' });
      assert.equal(single[0].ecp, 1.25);
      assert.equal(single[0].hourStart, '2026-06-10T12:00:00+02:00');
      const phases = normaliseHours({
        ecp: [0.1, 0.2, 0.3],
        eco: { l1: '0,5', l2: 0, l3: 0 },
        date: '2026-06-10',
        hour: 5,
      });
      assert.equal(phases[0].ecp, 0.6);
      assert.equal(phases[0].eco, 0.5);
      assert.equal(phases[0].hourStart, '2026-06-10T04:00:00+02:00');
    });

    it('uses the current hour for a single hour without a time', () => {
      const r = normaliseHours({ ecp: 1, eco: 0 }, Date.parse('2026-10-25T01:30:00Z'));
      assert.equal(r[0].hourStart, '2026-10-25T02:00:00+01:00');
      assert.equal(r[0].repeated, true);
    });

    it('reads an hour label given as text, and refuses a date, label or time in seconds that does not time the hour', () => {
      const now = Date.parse('2026-12-02T13:30:00Z');
      const text = normaliseHours({ ecp: 1, eco: 2, date: '2026-06-10', hour: '12' }, now);
      assert.equal(text[0].hourStart, '2026-06-10T11:00:00+02:00');
      const ms = normaliseHours({ ecp: 1, eco: 2, timestamp: 1781085600000 }, now);
      assert.equal(ms[0].hourStart, '2026-06-10T12:00:00+02:00');
      for (const [input, pattern] of [
        [{ ecp: 1, eco: 2, date: '2026-06-10' }, /date 2026-06-10 without an hour label/],
        [{ ecp: 1, eco: 2, date: '2026-06-10', hour: 'noon' }, /hour label "noon"/],
        [{ ecp: 1, eco: 2, date: '2026-06-10', hour: 12.5 }, /hour label 12.5/],
        [{ ecp: 1, eco: 2, date: '10.06.2026', hour: 12 }, /date "10.06.2026"/],
        [{ ecp: 1, eco: 2, date: '2026-06-10T12:00:00+02:00' }, /date "2026-06-10T12:00:00\+02:00"/],
        [{ ecp: 1, eco: 2, hour: 5 }, /hour label 5 without a date/],
        [{ ecp: 1, eco: 2, timestamp: 1781085600 }, /1781085600 looks like seconds since 1970/],
      ] as const) {
        assert.throws(
          () => normaliseHours([input], now),
          (e: any) => e.code === 'BAD_INPUT' && pattern.test(e.message) && /item 1/.test(e.message),
          JSON.stringify(input),
        );
      }
    });

    it('says which item has no time when several hours come, instead of a duplicate current hour', () => {
      const now = Date.parse('2026-12-02T18:30:00Z');
      for (const input of [
        {
          '2026-06-10T10:00:00+02:00': { ecp: 1, eco: 0 },
          '2026-06-10T11:00:00+02:00': { ecp: 2, eco: 3 },
        },
        [
          { ecp: 1, eco: 0, date: '2026-06-10', hour: 1 },
          { ecp: 2, eco: 3 },
        ],
      ]) {
        assert.throws(
          () => normaliseHours(input, now),
          (e: any) =>
            e.code === 'BAD_INPUT' &&
            /No time \(item \d\)/.test(e.message) &&
            !e.message.includes('2026-12-02'),
          JSON.stringify(input),
        );
      }
      assert.equal(normaliseHours([{ ecp: 1, eco: 0 }], now)[0].hourStart, '2026-12-02T19:00:00+01:00');
    });

    it("takes the second label 3 of the autumn DST day as the repeated hour, as TAURON's files list it", () => {
      const labels = [1, 2, 3, 3, ...Array.from({ length: 21 }, (_, i) => i + 4)];
      const rows = labels.map((hour, i) => ({ date: '2026-10-25', hour, ecp: 1, eco: i === 3 ? 2 : 0.5 }));
      const records = normaliseHours(rows);
      assert.deepEqual(
        records.slice(2, 5).map((r) => [r.hourStart, r.hour, r.repeated, r.eco]),
        [
          ['2026-10-25T02:00:00+02:00', 3, false, 0.5],
          ['2026-10-25T02:00:00+01:00', 3, true, 2],
          ['2026-10-25T03:00:00+01:00', 4, false, 0.5],
        ],
      );
      const r = balanceHours(records);
      assert.equal(r.days['2026-10-25'].hours, 25);
      assert.equal(r.total.ecbo, 1);
      // marked, the copies may come in any order
      const marked = normaliseHours([rows[3], rows[2]].map((row, i) => ({ ...row, repeated: i === 0 })));
      assert.deepEqual(
        marked.map((h) => h.hourStart),
        ['2026-10-25T02:00:00+01:00', '2026-10-25T02:00:00+02:00'],
      );
      // a label twice on any other hour, or three times, is still an error
      for (const twice of [
        [rows[0], rows[0]],
        [rows[2], rows[3], { ...rows[3] }],
        [
          { date: '2026-06-10', hour: 3, ecp: 1, eco: 0 },
          { date: '2026-06-10', hour: 3, ecp: 1, eco: 0 },
        ],
      ]) {
        assert.throws(
          () => normaliseHours(twice),
          (e: any) => e.code === 'BAD_INPUT' && /appears twice/.test(e.message),
          JSON.stringify(twice),
        );
      }
    });

    it('refuses a time text without a UTC offset instead of reading it in the server time zone', () => {
      // Date.parse reads these in the server's zone: in a UTC container 11:00 became 13:00 in
      // Warsaw, and a bare date 02:00-03:00; live mode and the settlement node refuse them too.
      for (const input of [
        { ecp: 1, eco: 0, hourStart: '2026-06-10T11:00:00' },
        { ecp: 1, eco: 0, hourStart: '2026-06-10 11:00' },
        { ecp: 1, eco: 0, timestamp: '2026-06-10' },
      ]) {
        assert.throws(
          () => normaliseHours([input]),
          (e: any) =>
            e.code === 'BAD_INPUT' && /has no UTC offset/.test(e.message) && /item 1/.test(e.message),
          JSON.stringify(input),
        );
      }
      const timed = normaliseHours([
        { ecp: 1, eco: 0, hourStart: '2026-06-10T11:00:00+02:00' },
        { ecp: 1, eco: 0, timestamp: '2026-06-10T10:00:00Z' },
        { ecp: 1, eco: 0, time: '2026-06-10T13:00:00+0200' },
      ]);
      assert.deepEqual(
        timed.map((r) => r.hourStart),
        ['2026-06-10T11:00:00+02:00', '2026-06-10T12:00:00+02:00', '2026-06-10T13:00:00+02:00'],
      );
    });

    for (const [name, input, pattern] of [
      ['negative', { ecp: -1, eco: 0, date: '2026-06-10', hour: 3 }, /ECP is negative.*2026-06-10T02:00/],
      ['NaN', { ecp: NaN, eco: 0 }, /ECP is not a number/],
      ['text', { ecp: 'abc', eco: 0 }, /ECP is not a number: "abc"/],
      ['missing both', { hourStart: '2026-06-10T10:00:00Z', zone: 'T1' }, /Neither ECP nor ECO/],
      [
        'a label that does not exist',
        { ecp: 1, eco: 1, date: '2026-03-29', hour: 3 },
        /does not exist on 2026-03-29/,
      ],
      ['an empty list', [], /no hours/],
      ['a string', 'hello', /Expected hour records/],
    ] as const) {
      it(`rejects ${name} with BAD_INPUT`, () => {
        assert.throws(
          () => normaliseHours(input),
          (e: any) => e.code === 'BAD_INPUT' && pattern.test(e.message),
        );
      });
    }

    it('rejects duplicate hours, naming the hour', () => {
      const h = { ecp: 1, eco: 0, hourStart: '2026-06-10T10:00:00Z' };
      assert.throws(
        () => normaliseHours([h, { ...h }]),
        (e: any) => e.code === 'BAD_INPUT' && /2026-06-10T12:00:00\+02:00 appears twice/.test(e.message),
      );
      assert.throws(
        () => balanceHours([hour('2026-06-10', 1, 1, 1), hour('2026-06-10', 1, 2, 2)]),
        /appears twice/,
      );
    });

    it('reads energy values strictly', () => {
      assert.equal(readEnergy(null, 'ECP', ''), null);
      assert.equal(readEnergy('0,396', 'ECP', ''), 0.396);
      assert.throws(() => readEnergy({ foo: 1 }, 'ECP', ''), /not per-phase/);
      assert.throws(() => readEnergy(true, 'ECP', ''), /not an energy value/);
    });
  });
});
