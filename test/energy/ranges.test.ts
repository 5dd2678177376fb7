import assert from 'node:assert/strict';
import {
  MAX_RANGE_DAYS,
  RANGE_KINDS,
  firstOfMonth,
  firstOfYear,
  isRangeKind,
  lastOfMonth,
  rangeDays,
  rangeLabel,
  resolveRange,
  resolveRangeAt,
  type RangeSpec,
} from '../../src/energy/ranges';

describe('energy/ranges', () => {
  describe('resolveRange', () => {
    it('gives yesterday by default kind, also across a year boundary', () => {
      assert.deepEqual(resolveRange({ kind: 'yesterday' }, '2026-11-23'), {
        from: '2026-11-22',
        to: '2026-11-22',
      });
      assert.deepEqual(resolveRange({ kind: 'yesterday' }, '2027-01-01'), {
        from: '2026-12-31',
        to: '2026-12-31',
      });
    });

    it('gives one named day, today included, and refuses a day in the future', () => {
      assert.deepEqual(resolveRange({ kind: 'day', day: '2026-03-29' }, '2026-11-23'), {
        from: '2026-03-29',
        to: '2026-03-29',
      });
      assert.deepEqual(resolveRange({ kind: 'day', day: '2026-11-23' }, '2026-11-23'), {
        from: '2026-11-23',
        to: '2026-11-23',
      });
      assert.throws(() => resolveRange({ kind: 'day', day: '2026-11-24' }, '2026-11-23'), /future/);
    });

    it('refuses a missing or malformed day', () => {
      for (const day of [undefined, '', '2026-02-30', '23.11.2026', 20261123]) {
        assert.throws(
          () => resolveRange({ kind: 'day', day } as unknown as RangeSpec, '2026-11-23'),
          /day must be a date in the form YYYY-MM-DD/,
          String(day),
        );
      }
    });

    it('gives the last N days ending yesterday', () => {
      assert.deepEqual(resolveRange({ kind: 'lastDays', days: 1 }, '2026-11-23'), {
        from: '2026-11-22',
        to: '2026-11-22',
      });
      assert.deepEqual(resolveRange({ kind: 'lastDays', days: 7 }, '2026-03-02'), {
        from: '2026-02-23',
        to: '2026-03-01',
      });
      const year = resolveRange({ kind: 'lastDays', days: MAX_RANGE_DAYS }, '2026-11-23');
      assert.equal(rangeDays(year), MAX_RANGE_DAYS);
    });

    it('refuses a day count that is not a whole number in 1..366', () => {
      for (const days of [0, -1, 1.5, MAX_RANGE_DAYS + 1, '7', undefined, NaN]) {
        assert.throws(
          () => resolveRange({ kind: 'lastDays', days } as unknown as RangeSpec, '2026-11-23'),
          /days must be a whole number from 1 to 366/,
          String(days),
        );
      }
    });

    it('ends this month and this year yesterday', () => {
      assert.deepEqual(resolveRange({ kind: 'thisMonth' }, '2026-11-23'), {
        from: '2026-11-01',
        to: '2026-11-22',
      });
      assert.deepEqual(resolveRange({ kind: 'thisMonth' }, '2026-11-02'), {
        from: '2026-11-01',
        to: '2026-11-01',
      });
      assert.deepEqual(resolveRange({ kind: 'thisYear' }, '2026-11-23'), {
        from: '2026-01-01',
        to: '2026-11-22',
      });
    });

    it('gives just today for this month on the 1st and for this year on 1 January', () => {
      assert.deepEqual(resolveRange({ kind: 'thisMonth' }, '2026-12-01'), {
        from: '2026-12-01',
        to: '2026-12-01',
      });
      assert.deepEqual(resolveRange({ kind: 'thisYear' }, '2027-01-01'), {
        from: '2027-01-01',
        to: '2027-01-01',
      });
    });

    it('gives the whole previous calendar month, including February of a leap year', () => {
      assert.deepEqual(resolveRange({ kind: 'lastMonth' }, '2026-11-23'), {
        from: '2026-10-01',
        to: '2026-10-31',
      });
      assert.deepEqual(resolveRange({ kind: 'lastMonth' }, '2028-03-01'), {
        from: '2028-02-01',
        to: '2028-02-29',
      });
      assert.deepEqual(resolveRange({ kind: 'lastMonth' }, '2027-01-15'), {
        from: '2026-12-01',
        to: '2026-12-31',
      });
    });

    it('gives the whole previous calendar year', () => {
      assert.deepEqual(resolveRange({ kind: 'lastYear' }, '2026-11-23'), {
        from: '2025-01-01',
        to: '2025-12-31',
      });
      assert.equal(rangeDays(resolveRange({ kind: 'lastYear' }, '2025-06-01')), 366);
    });

    it('gives an explicit range and checks its ends', () => {
      assert.deepEqual(resolveRange({ kind: 'range', from: '2026-10-24', to: '2026-10-26' }, '2026-11-23'), {
        from: '2026-10-24',
        to: '2026-10-26',
      });
      assert.throws(
        () => resolveRange({ kind: 'range', from: '2026-10-26', to: '2026-10-24' }, '2026-11-23'),
        /ends \(2026-10-24\) before it starts \(2026-10-26\)/,
      );
      assert.throws(
        () => resolveRange({ kind: 'range', from: '2026-11-20', to: '2026-11-24' }, '2026-11-23'),
        /to 2026-11-24 is in the future/,
      );
      assert.throws(
        () => resolveRange({ kind: 'range', from: '2025-01-01', to: '2026-01-02' }, '2026-11-23'),
        /367 days; at most 366/,
      );
      assert.throws(
        () => resolveRange({ kind: 'range', to: '2026-01-02' } as RangeSpec, '2026-11-23'),
        /from must be a date/,
      );
    });

    it('refuses an unknown kind and a malformed today', () => {
      assert.throws(
        () => resolveRange({ kind: 'week' } as unknown as RangeSpec, '2026-11-23'),
        /range must be one of yesterday, day, lastDays/,
      );
      assert.throws(() => resolveRange({ kind: 'yesterday' }, '23.11.2026'), RangeError);
    });

    it('does not change the spec it is given', () => {
      const spec: RangeSpec = { kind: 'range', from: '2026-10-01', to: '2026-10-02' };
      resolveRange(spec, '2026-11-23');
      assert.deepEqual(spec, { kind: 'range', from: '2026-10-01', to: '2026-10-02' });
    });
  });

  describe('resolveRangeAt', () => {
    it('takes today as the Warsaw date of the instant, not the UTC one', () => {
      // 23:30 UTC on 22 November is 00:30 on 23 November in Warsaw.
      const now = Date.parse('2026-11-22T23:30:00Z');
      assert.deepEqual(resolveRangeAt({ kind: 'yesterday' }, now), { from: '2026-11-22', to: '2026-11-22' });
    });
  });

  describe('helpers', () => {
    it('knows month and year boundaries', () => {
      assert.equal(firstOfMonth('2026-11-23'), '2026-11-01');
      assert.equal(lastOfMonth('2026-11-23'), '2026-11-30');
      assert.equal(lastOfMonth('2026-12-05'), '2026-12-31');
      assert.equal(lastOfMonth('2027-02-05'), '2027-02-28');
      assert.equal(firstOfYear('2026-11-23'), '2026-01-01');
    });

    it('recognises the range kinds', () => {
      for (const kind of RANGE_KINDS) assert.ok(isRangeKind(kind));
      assert.equal(isRangeKind('Yesterday'), false);
      assert.equal(isRangeKind(undefined), false);
    });

    it('labels one day by its date and longer ranges by both ends', () => {
      assert.equal(rangeLabel({ from: '2026-11-22', to: '2026-11-22' }), '2026-11-22');
      assert.equal(rangeLabel({ from: '2026-11-01', to: '2026-11-22' }), '2026-11-01…2026-11-22');
    });
  });
});
