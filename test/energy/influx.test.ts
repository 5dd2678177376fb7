import assert from 'node:assert/strict';
import { isElicznikError } from '../../src/errors';
import { balanceHours } from '../../src/energy/balance';
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { DEFAULT_MEASUREMENT, INFLUX_PRECISION, influxPoints, measurementOf } from '../../src/energy/influx';
import { hoursOfLocalDay } from '../../src/energy/time';

function dayRecords(date: string, fill: (i: number) => [number | null, number | null]): HourRecord[] {
  return hoursOfLocalDay(date).map((h, i) => {
    const [ecp, eco] = fill(i);
    return makeHourRecord(date, h.hour, h.repeated, {
      ecp,
      eco,
      zone: i < 13 ? 'T1' : 'T2',
      zoneName: i < 13 ? 'Szczyt' : 'Poza szczytem',
      meterPoint: '600_60_7',
      dayComplete: false,
    });
  });
}

describe('energy: InfluxDB points', () => {
  it('makes one point per hour: measurement, meter point and zone tags, kWh fields, the start in ms', () => {
    const hours = balanceHours(dayRecords('2026-06-01', (i) => [i / 10, 0.25])).hours;
    const points = influxPoints(hours);
    assert.equal(points.length, 24);
    assert.equal(INFLUX_PRECISION, 'ms');
    assert.deepEqual(points[3], {
      measurement: DEFAULT_MEASUREMENT,
      tags: { meterPoint: '600_60_7', zone: 'T1' },
      fields: { ecp: 0.3, eco: 0.25, ecbp: 0.05, ecbo: 0, autoconsumption: 0.25 },
      timestamp: Date.parse('2026-06-01T03:00:00+02:00'),
    });
    assert.equal(points[20].tags.zone, 'T2');
    assert.equal(DEFAULT_MEASUREMENT, 'elicznik');
    assert.equal(influxPoints(hours, { measurement: 'energy' })[0].measurement, 'energy');
  });

  it('writes only the fields with values: a missing value is left out, never 0, a missing hour gives no point', () => {
    const records = dayRecords('2026-06-01', (i) => (i < 20 ? [1, 2] : i === 20 ? [1, null] : [null, null]));
    const hours = balanceHours(records).hours;
    const points = influxPoints(hours);
    assert.equal(points.length, 21, 'hours 21..23 have no value at all');
    assert.deepEqual(points[20].fields, { ecp: 1 }, 'ECO unknown: no eco and no balance fields');
    assert.equal(points[20].timestamp, Date.parse('2026-06-01T20:00:00+02:00'));
    assert.ok(points.every((p) => Object.values(p.fields).every((v) => typeof v === 'number')));
    // A fetch of ECP only, before balancing: ecp and nothing else.
    assert.deepEqual(Object.keys(influxPoints(dayRecords('2026-06-02', () => [0.5, null]))[0].fields), [
      'ecp',
    ]);
  });

  it("keeps TAURON's balanced series when the record has them", () => {
    const [r] = dayRecords('2026-06-01', () => [1, 0]);
    const [p] = influxPoints([{ ...r, tauronEcbp: 1, tauronEcbo: 0 }]);
    assert.deepEqual(p.fields, { ecp: 1, eco: 0, tauronEcbp: 1, tauronEcbo: 0 });
  });

  it('gives the repeated autumn hour its own point, an hour after the first copy', () => {
    const points = influxPoints(dayRecords('2026-10-25', () => [0.1, 0]));
    assert.equal(points.length, 25);
    assert.equal(new Set(points.map((p) => p.timestamp)).size, 25);
    assert.equal(points[3].timestamp - points[2].timestamp, 3_600_000);
    assert.equal(points[2].timestamp, Date.parse('2026-10-25T02:00:00+02:00'));
    assert.equal(points[3].timestamp, Date.parse('2026-10-25T02:00:00+01:00'));
    assert.equal(influxPoints(dayRecords('2026-03-29', () => [0.1, 0])).length, 23);
  });

  it('gives an hour the same measurement, tags and timestamp every time it is converted', () => {
    const first = influxPoints(dayRecords('2026-10-25', (i) => (i < 10 ? [1, 0] : [null, null])));
    const later = influxPoints(dayRecords('2026-10-25', () => [1, 0]));
    const identity = (p: (typeof first)[number]) => JSON.stringify([p.measurement, p.tags, p.timestamp]);
    assert.deepEqual(first.map(identity), later.slice(0, 10).map(identity));
  });

  it('takes the meter point from the options when the records carry none, and leaves unknown tags out', () => {
    const [r] = dayRecords('2026-06-01', () => [1, 0]);
    const bare: HourRecord = { ...r, zone: null };
    delete bare.meterPoint;
    assert.deepEqual(influxPoints([bare])[0].tags, {});
    assert.deepEqual(influxPoints([bare], { meterPoint: 'mp' })[0].tags, { meterPoint: 'mp' });
    assert.deepEqual(influxPoints([r], { meterPoint: 'other' })[0].tags.meterPoint, '600_60_7');
  });

  it('reads a measurement name, refusing what is not text with BAD_INPUT', () => {
    assert.equal(measurementOf(' energy ', 'msg.measurement'), 'energy');
    for (const bad of ['', '  ', 5, null, undefined, ['a'], 'my home', 'energy,pv', 'a\nb']) {
      assert.throws(
        () => measurementOf(bad, 'msg.measurement'),
        (err: unknown) =>
          isElicznikError(err) && err.code === 'BAD_INPUT' && /^msg\.measurement must be/.test(err.message),
      );
    }
  });
});
