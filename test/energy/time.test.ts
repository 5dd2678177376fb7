import assert from 'node:assert/strict';
import {
  addLocalDays,
  fromServiceDate,
  hourContaining,
  hourFromLabel,
  hoursInLocalDay,
  hoursOfLocalDay,
  localDateOf,
  localDatesInRange,
  parseLocalDate,
  startOfLocalDayMs,
  toLocalIso,
  toServiceDate,
  warsawOffsetMinutes,
} from '../../src/energy/time';
import { makeHourRecord, kwhToWh } from '../../src/energy/hour';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

describe('energy/time', () => {
  it('gives 24 hours on an ordinary day, labelled 1..24', () => {
    const hours = hoursOfLocalDay('2026-06-15');
    assert.equal(hours.length, 24);
    assert.deepEqual(
      hours.map((h) => h.hour),
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    assert.equal(toLocalIso(hours[0].startMs), '2026-06-15T00:00:00+02:00');
    assert.equal(toLocalIso(hours[23].endMs), '2026-06-16T00:00:00+02:00');
  });

  it('gives 23 hours on the spring DST day, without label 3', () => {
    const hours = hoursOfLocalDay('2026-03-29');
    assert.equal(hours.length, 23);
    assert.deepEqual(hours.map((h) => h.hour).slice(0, 4), [1, 2, 4, 5]);
    assert.equal(hourFromLabel('2026-03-29', 3), undefined);
    assert.equal(toLocalIso(hourFromLabel('2026-03-29', 4)!.startMs), '2026-03-29T03:00:00+02:00');
    assert.equal(hoursInLocalDay('2026-03-29'), 23);
  });

  it('gives 25 hours on the autumn DST day, label 3 twice, the second one repeated', () => {
    const hours = hoursOfLocalDay('2026-10-25');
    assert.equal(hours.length, 25);
    const threes = hours.filter((h) => h.hour === 3);
    assert.equal(threes.length, 2);
    assert.equal(threes[0].repeated, false);
    assert.equal(threes[1].repeated, true);
    assert.equal(toLocalIso(threes[0].startMs), '2026-10-25T02:00:00+02:00');
    assert.equal(toLocalIso(threes[1].startMs), '2026-10-25T02:00:00+01:00');
    assert.equal(threes[1].startMs - threes[0].startMs, 3_600_000);
    const total = hours[hours.length - 1].endMs - hours[0].startMs;
    assert.equal(total, 25 * 3_600_000);
  });

  it('finds the hour containing an instant, also in the repeated hour', () => {
    const h = hourContaining(Date.parse('2026-10-25T01:30:00Z')); // 02:30 CET
    assert.equal(h.hour, 3);
    assert.equal(h.repeated, true);
    const first = hourContaining(Date.parse('2026-10-25T00:30:00Z')); // 02:30 CEST
    assert.equal(first.repeated, false);
  });

  it('finds the same hour and ISO text as the day enumeration, for every hour of a year', () => {
    for (const date of localDatesInRange('2026-01-01', '2026-12-31')) {
      for (const h of hoursOfLocalDay(date)) {
        for (const t of [h.startMs, h.startMs + 1_234_567, h.endMs - 1]) {
          assert.deepEqual(hourContaining(t), h);
        }
        assert.equal(
          toLocalIso(h.startMs),
          format(new TZDate(h.startMs, 'Europe/Warsaw'), "yyyy-MM-dd'T'HH:mm:ssXXX"),
        );
      }
    }
  });

  it('agrees with the time zone database (TZDate) for every hour of 2026 and around every DST change 1996-2060', function () {
    this.timeout(120_000); // the reference asks the time zone database for every hour
    // What the module computed before it kept an offset table: every conversion asked TZDate.
    const p2 = (n: number) => String(n).padStart(2, '0');
    const referenceIso = (ms: number) => format(new TZDate(ms, 'Europe/Warsaw'), "yyyy-MM-dd'T'HH:mm:ssXXX");
    const referenceHour = (ms: number) => {
      const startMs = Math.floor(ms / 3_600_000) * 3_600_000;
      const start = new TZDate(startMs, 'Europe/Warsaw');
      const repeated = new TZDate(startMs - 3_600_000, 'Europe/Warsaw').getHours() === start.getHours();
      const date = `${start.getFullYear()}-${p2(start.getMonth() + 1)}-${p2(start.getDate())}`;
      return { date, hour: start.getHours() + 1, repeated, startMs, endMs: startMs + 3_600_000 };
    };
    const check = (ms: number) => {
      assert.equal(toLocalIso(ms), referenceIso(ms));
      assert.deepEqual(hourContaining(ms + 1_234_567), referenceHour(ms + 1_234_567));
      assert.equal(localDateOf(ms), referenceHour(ms).date);
    };
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 3_600_000) check(ms);
    for (let year = 1996; year <= 2060; year++) {
      for (const month of [2, 9]) {
        for (let ms = Date.UTC(year, month, 22); ms < Date.UTC(year, month + 1, 2); ms += 3_600_000)
          check(ms);
      }
      for (const date of [`${year}-01-01`, `${year}-03-31`, `${year}-10-31`, `${year}-12-31`]) {
        const [y, m, d] = date.split('-').map(Number);
        assert.equal(startOfLocalDayMs(date), new TZDate(y, m - 1, d, 0, 0, 0, 'Europe/Warsaw').getTime());
      }
    }
  });

  it('writes ISO texts as Date and toISOString write them, also for odd instants, and refuses non-instants alike', () => {
    // The text as it was made with Date before it was written digit by digit.
    const byDate = (ms: number) => {
      const offset = warsawOffsetMinutes(ms);
      const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
      const p2 = (n: number) => String(n).padStart(2, '0');
      return `${local}${offset >= 0 ? '+' : '-'}${p2(Math.floor(offset / 60))}:${p2(offset % 60)}`;
    };
    const outcome = (fn: () => string) => {
      try {
        return fn();
      } catch (err) {
        return (err as Error).name;
      }
    };
    const instants = [
      0,
      -0,
      0.5,
      -0.5,
      -1,
      1.7,
      -3_600_000.4,
      1e12 + 0.999,
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(1900, 0, 1) - 1,
      Date.UTC(2000, 1, 29, 12),
      Date.UTC(2100, 1, 28, 23),
      -62_167_219_200_000, // 0000-01-01
      -62_167_219_200_000 - 7_200_000,
      253_402_300_800_000 - 7_200_000, // 9999-12-31T22:00Z, the last hour written with 4 digits
      253_402_300_800_000 - 3_600_000,
      8.64e15 - 1,
      8.64e15 + 1,
      NaN,
      Infinity,
    ];
    for (let ms = Date.UTC(1890, 0, 1); ms < Date.UTC(2110, 0, 1); ms += 86_400_000 * 3 + 3_599_999) {
      instants.push(ms);
    }
    for (const ms of instants) {
      assert.equal(
        outcome(() => toLocalIso(ms)),
        outcome(() => byDate(ms)),
        String(ms),
      );
    }
  });

  it('converts service dates both ways and rejects non-dates', () => {
    assert.equal(toServiceDate('2026-03-01'), '01.03.2026');
    assert.equal(fromServiceDate('1.03.2024'), '2024-03-01');
    assert.equal(fromServiceDate('09.01.2026 23:59:59'), '2026-01-09');
    assert.throws(() => parseLocalDate('2026-02-30'), RangeError);
    assert.throws(() => parseLocalDate('2026-2-3'), RangeError);
  });

  it('walks ranges of local dates across month and year ends', () => {
    assert.equal(addLocalDays('2026-12-31', 1), '2027-01-01');
    assert.deepEqual(localDatesInRange('2026-02-27', '2026-03-02'), [
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    assert.throws(() => localDatesInRange('2026-03-02', '2026-03-01'), RangeError);
  });

  it('builds hour records with exact instants and refuses labels that do not exist', () => {
    const r = makeHourRecord('2026-10-25', 3, true, { ecp: 0.5 });
    assert.equal(r.hourStart, '2026-10-25T02:00:00+01:00');
    assert.equal(r.hourEnd, '2026-10-25T03:00:00+01:00');
    assert.equal(r.eco, null);
    assert.throws(() => makeHourRecord('2026-03-29', 3, false), RangeError);
  });

  it('converts kWh with three decimals to whole Wh without float noise', () => {
    assert.equal(kwhToWh(1.03), 1030);
    assert.equal(kwhToWh(5.01), 5010);
    assert.equal(kwhToWh(0.1 + 0.2), 300);
  });
});
