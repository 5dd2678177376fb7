import assert from 'node:assert/strict';
import {
  addLocalDays,
  hoursOfLocalDay,
  localDatesInRange,
  startOfLocalDayMs,
  toLocalIso,
} from '../../src/energy/time';
import {
  dateOfDayNumber,
  dayNumber,
  isMonth,
  lastDateOfMonth,
  monthsBetween,
  shiftDate,
  shiftMonth,
  warsawDateOf,
  warsawInstant,
  warsawMidnight,
  warsawMinutesOfDay,
  warsawOffsetMinutes,
  warsawHoursOfDay,
  warsawIso,
} from '../../src/settlement/clock';

describe('settlement/clock', () => {
  it('agrees with energy/time on every local midnight from 2019 to 2031', () => {
    for (let date = '2019-01-01'; date <= '2031-12-31'; date = addLocalDays(date, 1)) {
      assert.equal(warsawMidnight(date), startOfLocalDayMs(date), date);
    }
  });

  it('agrees with energy/time on every clock hour of 2026 (date, wall clock, offset)', () => {
    for (const date of localDatesInRange('2026-01-01', '2026-12-31')) {
      for (const h of hoursOfLocalDay(date)) {
        assert.equal(warsawDateOf(h.startMs), date);
        const iso = toLocalIso(h.startMs);
        assert.equal(warsawMinutesOfDay(h.startMs), Number(iso.slice(11, 13)) * 60, iso);
        assert.equal(warsawOffsetMinutes(h.startMs), iso.endsWith('+02:00') ? 120 : 60, iso);
      }
    }
  });

  it('maps wall times to instants across both DST changes', () => {
    // 2026-03-29: 02:00 → 03:00; 02:30 does not exist and gives the first instant after the gap + 30 min.
    assert.equal(toLocalIso(warsawInstant('2026-03-29', 1 * 60)), '2026-03-29T01:00:00+01:00');
    assert.equal(toLocalIso(warsawInstant('2026-03-29', 2 * 60)), '2026-03-29T03:00:00+02:00');
    assert.equal(toLocalIso(warsawInstant('2026-03-29', 3 * 60)), '2026-03-29T03:00:00+02:00');
    assert.equal(toLocalIso(warsawInstant('2026-03-29', 10 * 60)), '2026-03-29T10:00:00+02:00');
    // 2026-10-25: 02:00 happens twice; the first occurrence (summer time) is chosen.
    assert.equal(toLocalIso(warsawInstant('2026-10-25', 2 * 60)), '2026-10-25T02:00:00+02:00');
    assert.equal(Date.parse('2026-10-25T02:00:00+02:00'), Date.parse('2026-10-25T00:00:00Z'));
    assert.equal(toLocalIso(warsawInstant('2026-10-25', 3 * 60)), '2026-10-25T03:00:00+01:00');
    assert.equal(toLocalIso(warsawInstant('2026-10-25', 10 * 60)), '2026-10-25T10:00:00+01:00');
  });

  it('does date and month arithmetic', () => {
    assert.equal(shiftDate('2026-03-28', 365), '2027-03-28');
    assert.equal(shiftDate('2024-02-28', 1), '2024-02-29');
    assert.equal(shiftDate('2025-01-01', -1), '2024-12-31');
    assert.equal(shiftMonth('2025-12', 1), '2026-01');
    assert.equal(shiftMonth('2025-01', -1), '2024-12');
    assert.equal(shiftMonth('2024-06', 12), '2025-06');
    assert.equal(monthsBetween('2024-11', '2025-02'), 3);
    assert.equal(lastDateOfMonth('2024-02'), '2024-02-29');
    assert.equal(lastDateOfMonth('2025-12'), '2025-12-31');
    assert.ok(isMonth('2025-09'));
    assert.ok(!isMonth('2025-13'));
    assert.ok(!isMonth('2025-9'));
  });

  it('numbers days and writes dates as Date does, over four-digit years and at their edges', () => {
    const DAY = 86_400_000;
    const viaDate = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
    const days: number[] = [];
    // every day from 1899 to 2101, then every 97th day over all four-digit years, and the edges
    for (let d = -25_568; d <= 48_577; d++) days.push(d);
    for (let d = -719_530; d <= 2_932_899; d += 97) days.push(d);
    days.push(-719_529, -719_528, -719_527, 2_932_896, 2_932_897, 2_932_898, 1.5);
    for (const day of days) {
      const date = viaDate(day);
      assert.equal(dateOfDayNumber(day), date, `day ${day}`);
      if (/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        const [y, m, d] = date.split('-').map(Number);
        assert.equal(dayNumber(date), Date.UTC(y, m - 1, d) / DAY, date);
      }
    }
    // Date.UTC reads years 0..99 as 1900..1999, and days past a month's end roll over
    assert.equal(dayNumber('0050-03-01'), Date.UTC(50, 2, 1) / DAY);
    assert.equal(dayNumber('2025-02-30'), dayNumber('2025-03-02'));
  });
});

describe('settlement/clock: hours of a day', () => {
  it('lists the same hours and ISO texts as energy/time for 2026', () => {
    for (const date of localDatesInRange('2026-01-01', '2026-12-31')) {
      const fast = warsawHoursOfDay(date);
      assert.deepEqual(fast, hoursOfLocalDay(date), date);
      for (const h of fast) assert.equal(warsawIso(h.startMs), toLocalIso(h.startMs));
    }
  });
});
