import assert from 'node:assert/strict';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { hoursOfLocalDay } from '../../src/energy/time';
import { DayCache, isCompleteDay, recordsByDate } from '../../src/session/day-cache';

const SERIES = ['ecp', 'eco'];

function day(date: string, complete = true): HourRecord[] {
  return hoursOfLocalDay(date).map((h, i) =>
    makeHourRecord(date, h.hour, h.repeated, {
      ecp: complete || i < 10 ? 0.5 : null,
      eco: complete || i < 10 ? 0.25 : null,
      dayComplete: complete,
      meterPoint: 'mp',
    }),
  );
}

describe('session/day-cache', () => {
  it('keeps complete days before today and hands out copies', () => {
    const cache = new DayCache();
    const stored = cache.putCompleteDays(
      'mp',
      SERIES,
      [...day('2026-11-20'), ...day('2026-11-21')],
      '2026-11-23',
    );
    assert.deepEqual(stored, ['2026-11-20', '2026-11-21']);
    const a = cache.get('mp', SERIES, '2026-11-20');
    assert.equal(a?.length, 24);
    a![0].ecp = 99;
    (a![0] as HourRecord & { ecbp?: number }).ecbp = 1;
    const b = cache.get('mp', SERIES, '2026-11-20');
    assert.equal(b![0].ecp, 0.5);
    assert.equal(b![0].ecbp, undefined);
  });

  it('leaves out incomplete days, today and days with hours missing', () => {
    const cache = new DayCache();
    const partial = day('2026-11-22', false);
    const today = day('2026-11-23');
    const short = day('2026-11-19').slice(0, 23);
    const stored = cache.putCompleteDays('mp', SERIES, [...short, ...partial, ...today], '2026-11-23');
    assert.deepEqual(stored, []);
    assert.deepEqual(cache.missingDates('mp', SERIES, '2026-11-19', '2026-11-23'), [
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
    ]);
  });

  it('keeps meter points and series sets apart', () => {
    const cache = new DayCache();
    cache.putCompleteDays('mp', SERIES, day('2026-11-20'), '2026-11-23');
    assert.ok(cache.get('mp', SERIES, '2026-11-20'));
    assert.equal(cache.get('other', SERIES, '2026-11-20'), undefined);
    assert.equal(cache.get('mp', ['ecp'], '2026-11-20'), undefined);
    assert.deepEqual(cache.missingDates('mp', SERIES, '2026-11-19', '2026-11-21'), [
      '2026-11-19',
      '2026-11-21',
    ]);
  });

  it('knows DST days have 23 and 25 hours', () => {
    assert.ok(isCompleteDay('2026-03-29', day('2026-03-29')));
    assert.ok(isCompleteDay('2026-10-25', day('2026-10-25')));
    assert.equal(day('2026-10-25').length, 25);
    assert.equal(isCompleteDay('2026-10-25', day('2026-10-25').slice(1)), false);
  });

  it('drops the oldest stored day when full', () => {
    const cache = new DayCache(2);
    cache.putCompleteDays('mp', SERIES, day('2026-11-01'), '2026-11-23');
    cache.putCompleteDays('mp', SERIES, day('2026-11-02'), '2026-11-23');
    cache.putCompleteDays('mp', SERIES, day('2026-11-03'), '2026-11-23');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('mp', SERIES, '2026-11-01'), undefined);
    assert.ok(cache.get('mp', SERIES, '2026-11-03'));
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('groups records by date in order', () => {
    const groups = recordsByDate([...day('2026-11-20'), ...day('2026-11-21')]);
    assert.deepEqual([...groups.keys()], ['2026-11-20', '2026-11-21']);
    assert.equal(groups.get('2026-11-21')?.length, 24);
  });
});
