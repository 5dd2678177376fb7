import assert from 'node:assert/strict';
import type { RegisterReading } from '../../src/client/registers';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { hoursOfLocalDay, localDatesInRange } from '../../src/energy/time';
import {
  figureOfHours,
  figureOfRegisters,
  figureOfSummary,
  gapOf,
  hoursPayload,
  missingHours,
  newestCompleteDay,
  registersPayload,
  summaryPayload,
} from '../../src/fetch/payloads';
import {
  clockTime,
  doneStatus,
  errorStatus,
  fetchingStatus,
  formatKwh,
  partialStatus,
  waitStatus,
} from '../../nodes/elicznik-fetch/status';

/** Hours of a day: ECP 0.5 and ECO 0.25 kWh each, zone T1 before 13:00 and T2 after; `nullFrom` hours empty. */
function day(date: string, nullFrom = 99): HourRecord[] {
  return hoursOfLocalDay(date).map((h, i) => {
    const has = i < nullFrom;
    return makeHourRecord(date, h.hour, h.repeated, {
      ecp: has ? 0.5 : null,
      eco: has ? 0.25 : null,
      zone: i < 13 ? 'T1' : 'T2',
      zoneName: i < 13 ? 'Szczyt' : 'Poza szczytem',
      dayComplete: nullFrom >= 24,
      meterPoint: 'mp',
      tariff: 'G12W',
    });
  });
}

function days(from: string, to: string): HourRecord[] {
  return localDatesInRange(from, to).flatMap((d) => day(d));
}

/** Translation that shows key and parameters, like a catalog would fill them in. */
const t = (key: string, params?: Record<string, string | number>) =>
  params
    ? `${key}(${Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')})`
    : key;

describe('elicznik-fetch: output and status', () => {
  it('builds the hours payload with the missing hours listed', () => {
    const records = [...day('2026-11-21'), ...day('2026-11-22', 20)];
    const p = hoursPayload('', { from: '2026-11-21', to: '2026-11-22' }, ['ecp', 'eco'], records);
    assert.equal(p.meterPoint, 'mp');
    assert.equal(p.tariff, 'G12W');
    assert.equal(p.complete, false);
    assert.equal(p.missingHours.length, 4);
    assert.equal(p.missingHours[0], '2026-11-22T20:00:00+01:00');
    assert.equal(p.hours, records);
    assert.deepEqual(
      missingHours(records, ['tauronEcbp']).length,
      48,
      'a series not on the records is missing',
    );
  });

  it('finds the newest complete day, DST days included', () => {
    assert.equal(
      newestCompleteDay([...day('2026-10-25'), ...day('2026-10-26', 3)], ['ecp', 'eco']),
      '2026-10-25',
    );
    assert.equal(newestCompleteDay(day('2026-10-26', 3), ['ecp']), undefined);
    assert.equal(newestCompleteDay(day('2026-10-25').slice(1), ['ecp']), undefined);
  });

  it('sums a summary per period and zone in whole Wh', () => {
    const records = days('2026-01-01', '2026-02-02');
    const s = summaryPayload('x', '2026-02-02', ['ecp', 'eco'], records);
    assert.deepEqual(
      [s.daily.from, s.monthly.from, s.yearly.from],
      ['2026-02-02', '2026-02-01', '2026-01-01'],
    );
    assert.equal(s.daily.ecp, 12);
    assert.equal(s.daily.eco, 6);
    assert.equal(s.monthly.ecp, 24);
    assert.equal(s.yearly.ecp, 33 * 12);
    assert.deepEqual(s.daily.zones, { T1: { ecp: 6.5, eco: 3.25 }, T2: { ecp: 5.5, eco: 2.75 } });
    assert.deepEqual(s.daily.zoneNames, { T1: 'Szczyt', T2: 'Poza szczytem' });
    assert.equal(s.complete, true);
    assert.equal(s.meterPoint, 'mp');
  });

  it('marks a summary period incomplete when days or values are missing', () => {
    const gapInYear = [...days('2026-01-01', '2026-01-09'), ...days('2026-01-11', '2026-02-02')];
    const s = summaryPayload('x', '2026-02-02', ['ecp', 'eco'], gapInYear);
    assert.equal(s.daily.complete, true);
    assert.equal(s.yearly.complete, false);
    assert.equal(s.complete, false);
    const empty = summaryPayload('mp', '2026-02-02', ['ecp'], []);
    assert.deepEqual([empty.daily.ecp, empty.daily.complete, empty.tariff], [null, false, null]);
  });

  it('builds the registers payload with the newest reading', () => {
    const reading = (date: string, total: number | null): RegisterReading => ({
      date,
      time: '23:59:59',
      import: total === null ? null : { total, zones: { S1: null, S2: null, S3: null } },
      export: total === null ? null : { total: total / 2, zones: { S1: null, S2: null, S3: null } },
    });
    const range = { from: '2026-11-21', to: '2026-11-22' };
    const full = registersPayload('mp', range, [reading('2026-11-21', 100), reading('2026-11-22', 110)]);
    assert.equal(full.latest?.date, '2026-11-22');
    assert.equal(full.complete, true);
    assert.deepEqual(figureOfRegisters(full.latest), { in: 110, out: 55 });
    const late = registersPayload('mp', range, [reading('2026-11-21', 100), reading('2026-11-22', null)]);
    assert.equal(late.readings.length, 1);
    assert.equal(late.complete, false);
    assert.deepEqual(figureOfRegisters(null), { in: null, out: null });
  });

  it('picks the in and out figures from the series fetched', () => {
    const records = day('2026-11-22');
    assert.deepEqual(figureOfHours(records, ['ecp', 'eco']), { in: 12, out: 6 });
    assert.deepEqual(figureOfHours(records, ['eco']), { in: null, out: 6 });
    const balanced = records.map((r) => ({ ...r, tauronEcbp: 0.25, tauronEcbo: 0 }));
    assert.deepEqual(figureOfHours(balanced, ['tauronEcbp', 'tauronEcbo']), { in: 6, out: 0 });
    assert.deepEqual(figureOfHours(day('2026-11-22', 0), ['ecp', 'eco']), { in: null, out: null });
    const s = summaryPayload('x', '2026-11-22', ['ecp', 'eco'], records);
    assert.deepEqual(figureOfSummary(s.daily, ['ecp', 'eco']), { in: 12, out: 6 });
    assert.equal(formatKwh(8.449), '8.4');
    assert.equal(formatKwh(21.05), '21.1');
  });

  it('describes the gap: empty days by date, partial ones by hours', () => {
    assert.equal(gapOf(day('2026-11-22'), ['ecp']), undefined);
    assert.deepEqual(gapOf([...day('2026-11-21'), ...day('2026-11-22', 0)], ['ecp']), {
      label: '2026-11-22',
      allEmpty: true,
      hours: 24,
    });
    assert.deepEqual(
      gapOf([...day('2026-11-20', 0), ...day('2026-11-21'), ...day('2026-11-22', 20)], ['ecp']),
      {
        label: '2026-11-20…2026-11-22',
        allEmpty: false,
        hours: 28,
      },
    );
  });

  it('writes the status lines', () => {
    const now = Date.parse('2026-11-23T11:05:00Z');
    assert.equal(clockTime(now), '12:05');
    assert.deepEqual(fetchingStatus(t, '2026-11-22'), {
      fill: 'blue',
      shape: 'dot',
      text: 'elicznik-fetch.status.fetching(range=2026-11-22)',
    });
    assert.deepEqual(doneStatus(t, now, { in: 8.44, out: 21.06 }), {
      fill: 'green',
      shape: 'dot',
      text: 'elicznik-fetch.status.done(time=12:05,in=8.4,out=21.1)',
    });
    assert.equal(
      doneStatus(t, now, { in: 1, out: null }).text,
      'elicznik-fetch.status.doneIn(time=12:05,in=1.0)',
    );
    assert.equal(
      doneStatus(t, now, { in: null, out: 2 }).text,
      'elicznik-fetch.status.doneOut(time=12:05,out=2.0)',
    );
    assert.equal(
      doneStatus(t, now, { in: null, out: null }).text,
      'elicznik-fetch.status.doneEmpty(time=12:05)',
    );
    assert.deepEqual(partialStatus(t, now, { label: '2026-11-22', allEmpty: true, hours: 24 }), {
      fill: 'yellow',
      shape: 'dot',
      text: 'elicznik-fetch.status.noData(range=2026-11-22)',
    });
    assert.equal(
      partialStatus(t, now, { label: '2026-11-22', allEmpty: false, hours: 4 }).text,
      'elicznik-fetch.status.partial(time=12:05,count=4)',
    );
    assert.deepEqual(errorStatus('RATE_LIMITED'), {
      fill: 'red',
      shape: 'ring',
      text: 'elicznik-fetch.reason.RATE_LIMITED',
    });
    assert.equal(errorStatus('ENOENT').text, 'elicznik-fetch.reason.UNKNOWN');
    // until when the account waits, when the error says so
    const later = new Date(now + 60 * 60_000);
    assert.deepEqual(waitStatus(t, 'RATE_LIMITED', later, now), {
      fill: 'red',
      shape: 'ring',
      text: 'elicznik-fetch.status.rateLimitedUntil(time=13:05)',
    });
    assert.equal(
      waitStatus(t, 'ACCOUNT_BLOCKED', new Date(now + 20 * 3_600_000), now)?.text,
      'elicznik-fetch.status.blockedUntil(time=24.11 08:05)',
    );
    assert.equal(
      waitStatus(t, 'LOGIN_BUDGET', later, now)?.text,
      'elicznik-fetch.status.loginsPaused(time=13:05)',
    );
    assert.equal(waitStatus(t, 'RATE_LIMITED', undefined, now), null);
    assert.equal(waitStatus(t, 'SERVICE_UNAVAILABLE', later, now), null);
    assert.equal(waitStatus(t, 'toString', later, now), null);
    assert.equal(errorStatus(undefined).text, 'elicznik-fetch.reason.UNKNOWN');
  });
});
