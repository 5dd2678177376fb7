import assert from 'node:assert/strict';
import {
  UnreadableSetting,
  dateValue,
  daysValue,
  parseSeries,
  resolveFetchRequest,
  type FetchSettings,
} from '../../src/fetch/request';

const TODAY = '2026-11-23';
const base: FetchSettings = { range: 'yesterday', series: ['ecp', 'eco'], output: 'hours' };

function badInput(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    const err = e as { code?: string; message?: string };
    assert.equal(err.code, 'BAD_INPUT');
    assert.match(String(err.message), message);
    return true;
  });
}

describe('elicznik-fetch: request', () => {
  it('takes the node settings when the message has no overrides', () => {
    assert.deepEqual(resolveFetchRequest(base, {}, TODAY), {
      kind: 'yesterday',
      range: { from: '2026-11-22', to: '2026-11-22' },
      series: ['ecp', 'eco'],
      output: 'hours',
    });
    assert.deepEqual(resolveFetchRequest({ ...base, range: 'lastDays', days: 3 }, {}, TODAY).range, {
      from: '2026-11-20',
      to: '2026-11-22',
    });
    assert.deepEqual(
      resolveFetchRequest({ ...base, range: 'range', from: '2026-10-01', to: ' 2026-10-02 ' }, {}, TODAY)
        .range,
      { from: '2026-10-01', to: '2026-10-02' },
    );
  });

  it('lets msg.range choose the kind and take its values from the node', () => {
    const r = resolveFetchRequest({ ...base, day: '2026-11-02' }, { range: 'day' }, TODAY);
    assert.deepEqual(r.range, { from: '2026-11-02', to: '2026-11-02' });
    assert.equal(resolveFetchRequest(base, { range: 'lastMonth' }, TODAY).range?.from, '2026-10-01');
  });

  it('takes an explicit range object from msg.range', () => {
    const r = resolveFetchRequest(
      base,
      { range: { from: '2026-10-24', to: new Date('2026-10-26T10:00:00Z') } },
      TODAY,
    );
    assert.deepEqual(r.range, { from: '2026-10-24', to: '2026-10-26' });
    assert.equal(r.kind, 'range');
  });

  it('makes msg.day and msg.days imply their kind, msg.range winning over both', () => {
    assert.deepEqual(resolveFetchRequest(base, { day: '2026-11-01' }, TODAY).range, {
      from: '2026-11-01',
      to: '2026-11-01',
    });
    assert.equal(resolveFetchRequest(base, { days: '5' }, TODAY).range?.from, '2026-11-18');
    assert.deepEqual(resolveFetchRequest(base, { range: 'yesterday', day: '2026-11-01' }, TODAY).range, {
      from: '2026-11-22',
      to: '2026-11-22',
    });
    assert.equal(resolveFetchRequest(base, { day: '2026-11-01', days: 3 }, TODAY).kind, 'day');
  });

  it('ignores empty overrides', () => {
    assert.equal(
      resolveFetchRequest(base, { range: '', day: null, days: undefined, output: '' }, TODAY).kind,
      'yesterday',
    );
  });

  it('reads series overrides from lists and comma separated text', () => {
    assert.deepEqual(resolveFetchRequest(base, { series: 'eco, tauronEcbo' }, TODAY).series, [
      'eco',
      'tauronEcbo',
    ]);
    assert.deepEqual(parseSeries(['tauronEcbp', 'ecp', 'ecp'], 'x'), ['ecp', 'tauronEcbp']);
    badInput(() => parseSeries([], 'msg.series'), /msg\.series must be a list/);
    badInput(() => parseSeries('ecp,,eco', 'msg.series'), /msg\.series/);
    badInput(() => parseSeries(42, 'msg.series'), /got 42/);
  });

  it('gives the summary no range and does not check range settings for it', () => {
    const r = resolveFetchRequest({ ...base, range: 'day', day: 'not a day' }, { output: 'summary' }, TODAY);
    assert.deepEqual(r, { kind: 'day', series: ['ecp', 'eco'], output: 'summary' });
  });

  it('names the property or setting a bad value came from', () => {
    badInput(() => resolveFetchRequest(base, { range: 7 }, TODAY), /^msg\.range must be one of/);
    badInput(() => resolveFetchRequest(base, { range: ['day'] }, TODAY), /^msg\.range must be one of/);
    badInput(() => resolveFetchRequest(base, { day: '2026-13-01' }, TODAY), /^msg\.day: day must be a date/);
    badInput(
      () => resolveFetchRequest(base, { days: 'many' }, TODAY),
      /^msg\.days: days must be a whole number/,
    );
    badInput(
      () => resolveFetchRequest({ ...base, range: 'day' }, {}, TODAY),
      /^The day setting: day must be a date/,
    );
    badInput(
      () => resolveFetchRequest({ ...base, range: 'range', from: '2026-10-01' }, {}, TODAY),
      /^The from\/to settings: to/,
    );
    const fromTo = { ...base, range: 'range', from: '2026-10-01', to: '2026-10-02' };
    badInput(
      () => resolveFetchRequest(fromTo, { range: { start: '2026-10-05', end: '2026-10-06' } }, TODAY),
      /^msg\.range: from must be a date/,
    );
    badInput(() => resolveFetchRequest(fromTo, { range: new Date() }, TODAY), /^msg\.range: from must be/);
    badInput(
      () => resolveFetchRequest({ ...base, range: 'week' }, {}, TODAY),
      /^The range setting must be one of/,
    );
    badInput(
      () => resolveFetchRequest({ ...base, output: 'csv' }, {}, TODAY),
      /^The output setting must be one of/,
    );
    badInput(
      () => resolveFetchRequest({ ...base, series: [] }, {}, TODAY),
      /^The series setting must be a list/,
    );
    badInput(() => resolveFetchRequest(base, { output: 'table' }, TODAY), /^msg\.output must be one of/);
  });

  it('reports a TypedInput that could not be read only when its value is needed', () => {
    const unreadable = new UnreadableSetting('The day setting could not be read: no such property');
    assert.equal(resolveFetchRequest({ ...base, day: unreadable }, {}, TODAY).kind, 'yesterday');
    badInput(
      () => resolveFetchRequest({ ...base, range: 'day', day: unreadable }, {}, TODAY),
      /The day setting could not be read/,
    );
  });

  it('turns Dates, epoch milliseconds and numeric text into the values ranges need', () => {
    assert.equal(dateValue(new Date('2026-03-28T23:30:00Z')), '2026-03-29');
    assert.equal(dateValue(Date.parse('2026-06-30T22:30:00Z')), '2026-07-01');
    assert.equal(dateValue(' 2026-01-02 '), '2026-01-02');
    assert.equal(dateValue(7), 7);
    assert.equal(daysValue('12'), 12);
    assert.equal(daysValue(' '), ' ');
    assert.equal(daysValue(3), 3);
  });
});
