import assert from 'node:assert/strict';
import { addLocalDays } from '../../src/energy/time';
import {
  clearSkyPvPerKwp,
  dayWeather,
  generateDay,
  seededRandom,
  type GeneratorPoint,
} from '../../src/simulator/data';
import { DEMO_ACCOUNT } from '../../src/simulator';
import { zoneAt, zonesOfTariff } from '../../src/simulator/zones';
import {
  allDataDate,
  csvExport,
  energyByPeriod,
  energyFullTime,
  periodsByMonth,
  seriesWh,
  type ServedHour,
} from '../../src/simulator/responses';

const G11: GeneratorPoint = { id: '600123456_60123456_7123456', tariff: 'G11', pvKw: 6, type: '' };
const NO_PV: GeneratorPoint = { id: '611111111_61111111_7111111', tariff: 'G11', pvKw: 0, type: '' };
const BUSINESS: GeneratorPoint = { id: '622222222_62222222_7222222', tariff: 'C11', pvKw: 0, type: 'WO' };

function days(from: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addLocalDays(from, i));
}

describe('simulator/data', () => {
  it('is deterministic per meter point and date, and differs between points and dates', () => {
    assert.deepEqual(generateDay(G11, '2026-05-10'), generateDay(G11, '2026-05-10'));
    const a = generateDay(G11, '2026-05-10').map((h) => h.ecpWh);
    const b = generateDay({ ...G11, id: '699999999_69999999_7999999' }, '2026-05-10').map((h) => h.ecpWh);
    const c = generateDay(G11, '2026-05-11').map((h) => h.ecpWh);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(a, c);
    const r1 = seededRandom('x', 'y');
    const r2 = seededRandom('x', 'y');
    assert.deepEqual([r1(), r1(), r1()], [r2(), r2(), r2()]);
  });

  it('gives whole, non-negative Wh for every hour (kWh with three decimals)', () => {
    for (const h of generateDay(G11, '2026-07-01')) {
      assert.ok(Number.isInteger(h.ecpWh) && h.ecpWh >= 0);
      assert.ok(Number.isInteger(h.ecoWh) && h.ecoWh >= 0);
    }
  });

  it('follows DST: 23 hours without label 3 in spring, 25 with a repeated label 3 in autumn', () => {
    const spring = generateDay(G11, '2026-03-29');
    assert.equal(spring.length, 23);
    assert.ok(!spring.some((h) => h.hour === 3));
    const autumn = generateDay(G11, '2026-10-25');
    assert.equal(autumn.length, 25);
    const threes = autumn.filter((h) => h.hour === 3);
    assert.deepEqual(
      threes.map((h) => h.repeated),
      [false, true],
    );
    assert.equal(generateDay(G11, '2026-06-01').length, 24);
  });

  it('exports nothing at night, nothing without PV, and follows the season', () => {
    for (const date of days('2026-01-01', 365)) {
      const day = generateDay(G11, date);
      for (const h of day) if (h.hour <= 3 || h.hour >= 23) assert.equal(h.ecoWh, 0, `${date} ${h.hour}`);
    }
    for (const date of days('2026-06-01', 10)) {
      assert.ok(generateDay(NO_PV, date).every((h) => h.ecoWh === 0));
    }
    const exportOf = (from: string) =>
      days(from, 30).reduce((s, d) => s + generateDay(G11, d).reduce((a, h) => a + h.ecoWh, 0), 0);
    assert.ok(exportOf('2026-06-01') > 3 * exportOf('2026-12-01'), 'June export well above December');
    const importOf = (from: string) =>
      days(from, 30).reduce((s, d) => s + generateDay(NO_PV, d).reduce((a, h) => a + h.ecpWh, 0), 0);
    assert.ok(importOf('2026-12-01') > importOf('2026-06-01'), 'more consumption in winter');
  });

  it('makes PV a bell around midday whose width follows the season', () => {
    const june = '2026-06-21T00:00:00+02:00';
    const dec = '2026-12-21T00:00:00+01:00';
    const at = (base: string, hours: number) => clearSkyPvPerKwp(Date.parse(base) + hours * 3_600_000);
    assert.equal(at(june, 3), 0);
    assert.equal(at(june, 23), 0);
    assert.ok(at(june, 13) > at(june, 9) && at(june, 9) > at(june, 6));
    assert.ok(at(june, 13) > 0.6 && at(june, 13) <= 0.95);
    assert.ok(at(june, 5.5) > 0, 'June sun is up at 05:30');
    assert.equal(at(dec, 7), 0, 'December sun is not up at 07:00');
    assert.ok(at(dec, 12) < at(june, 13));
  });

  it('has sunny, mixed and overcast days, with export only in sunny hours', () => {
    const kinds = new Set(days('2026-01-01', 365).map((d) => dayWeather(d).kind));
    assert.deepEqual([...kinds].sort(), ['mixed', 'overcast', 'sunny']);
    const sunny = days('2026-06-01', 60).find((d) => dayWeather(d).kind === 'sunny')!;
    const overcast = days('2026-06-01', 60).find((d) => dayWeather(d).kind === 'overcast')!;
    const sum = (d: string) => generateDay(G11, d).reduce((a, h) => a + h.ecoWh, 0);
    assert.ok(sum(sunny) > 2 * sum(overcast));
  });

  it('draws a household profile with a morning and a bigger evening peak', () => {
    const mean = (hours: number[]) => {
      let total = 0;
      let n = 0;
      for (const d of days('2026-01-05', 56)) {
        for (const h of generateDay(NO_PV, d)) {
          if (hours.includes(h.hour)) {
            total += h.ecpWh;
            n++;
          }
        }
      }
      return total / n;
    };
    const night = mean([3, 4, 5]);
    const morning = mean([7, 8]);
    const noon = mean([12, 13]);
    const evening = mean([19, 20, 21]);
    assert.ok(morning > night && morning > noon, `morning ${morning} night ${night} noon ${noon}`);
    assert.ok(evening > morning, `evening ${evening} morning ${morning}`);
  });

  it('draws a business profile that works on weekdays', () => {
    const monday = generateDay(BUSINESS, '2026-06-15');
    const sunday = generateDay(BUSINESS, '2026-06-14');
    const at = (d: typeof monday, hour: number) => d.find((h) => h.hour === hour)!.ecpWh;
    assert.ok(at(monday, 12) > 2 * at(monday, 3));
    assert.ok(at(monday, 12) > 2 * at(sunday, 12));
  });

  it('gives hours with both import and export (sub-hour netting), so balancing matters', () => {
    const both = days('2026-04-01', 60)
      .flatMap((d) => generateDay(G11, d))
      .filter((h) => h.ecpWh > 0 && h.ecoWh > 0);
    assert.ok(both.length > 20);
  });
});

describe('simulator/zones', () => {
  it('splits G12W into peak T1 on weekdays 6–13 and 15–22, T2 otherwise and at weekends', () => {
    const monday = '2026-06-15';
    const t = (date: string, startHour: number) => zoneAt('G12W', date, startHour).code;
    assert.equal(t(monday, 5), 'T2');
    assert.equal(t(monday, 6), 'T1');
    assert.equal(t(monday, 12), 'T1');
    assert.equal(t(monday, 13), 'T2');
    assert.equal(t(monday, 14), 'T2');
    assert.equal(t(monday, 15), 'T1');
    assert.equal(t(monday, 21), 'T1');
    assert.equal(t(monday, 22), 'T2');
    for (let h = 0; h < 24; h++) {
      assert.equal(t('2026-06-13', h), 'T2');
      assert.equal(t('2026-06-14', h), 'T2');
    }
    assert.equal(zoneAt('G12', '2026-06-13', 8).code, 'T1');
  });

  it('names zones like eLicznik and falls back to one all-day zone', () => {
    assert.deepEqual(
      zonesOfTariff('G11').map((z) => [z.key, z.code, z.name]),
      [['1', 'T1', 'Cała doba']],
    );
    assert.equal(zonesOfTariff('C11').length, 1);
    assert.equal(zonesOfTariff('XYZ').length, 1);
    assert.deepEqual(
      zonesOfTariff('G13').map((z) => z.code),
      ['T1', 'T2', 'T3'],
    );
    assert.equal(zoneAt('G13', '2026-01-12', 8).code, 'T1');
    assert.equal(zoneAt('G13', '2026-01-12', 17).code, 'T2');
    assert.equal(zoneAt('G13', '2026-07-13', 17).code, 'T3');
    assert.equal(zoneAt('G13', '2026-07-13', 20).code, 'T2');
    assert.equal(zoneAt('G13', '2026-07-12', 8).code, 'T3');
  });
});

describe('simulator/responses', () => {
  const z1 = zonesOfTariff('G12W')[0];
  const z2 = zonesOfTariff('G12W')[1];
  const hours: ServedHour[] = [
    { date: '2026-10-25', hour: 2, repeated: false, zone: z2, ecpWh: 1200, ecoWh: 0 },
    { date: '2026-10-25', hour: 3, repeated: false, zone: z2, ecpWh: 300, ecoWh: 500 },
    { date: '2026-10-25', hour: 3, repeated: true, zone: z1, ecpWh: 0, ecoWh: 1005 },
    { date: '2026-10-25', hour: 4, repeated: false, zone: z1, ecpWh: null, ecoWh: null },
  ];

  it('balances hour by hour for netto and netto_oze', () => {
    assert.equal(seriesWh(hours[1], 'netto'), 0);
    assert.equal(seriesWh(hours[1], 'netto_oze'), 200);
    assert.equal(seriesWh(hours[0], 'netto'), 1200);
    assert.equal(seriesWh(hours[3], 'consum'), null);
  });

  it('builds the full-time JSON with zones, the repeated hour and nulls', () => {
    const data = energyFullTime('G12W', hours, 'oze') as any;
    assert.deepEqual(data.values, [0, 0.5, 1.005, null]);
    assert.deepEqual(data.zones, { '1': 1.005, '2': 0.5 });
    assert.equal(data.sum, 1.505);
    assert.deepEqual(data.labels, [2, 3, 3, 4]);
    assert.deepEqual(data.zonesName, { '1': 'Szczyt (T1)', '2': 'Poza szczytem (T2)' });
    assert.deepEqual(
      data.allData.map((a: any) => [a.Hour, a.Extra, a.EC, a.Status]),
      [
        ['2', 'N', '0', '0'],
        ['3', 'N', '0.5', '0'],
        ['3', 'T', '1.005', '0'],
        ['4', 'N', null, null],
      ],
    );
    assert.deepEqual(data.chartZones['1'], [false, false, true, true]);
    const noAll = energyFullTime('G12W', hours, 'oze', { missingAllData: true, ecNullHours: [] }) as any;
    assert.equal('allData' in noAll, false);
    const ecNull = energyFullTime('G12W', hours, 'oze', { ecNullHours: [3] }) as any;
    assert.deepEqual(
      ecNull.allData.map((a: any) => a.EC),
      ['0', null, null, null],
    );
  });

  it('writes allData Date as the day with offset, the same for every hour', () => {
    assert.equal(allDataDate('2026-03-10'), '2026-03-10T01:00:00.000+01:00');
    assert.equal(allDataDate('2026-06-15'), '2026-06-15T02:00:00.000+02:00');
  });

  it('sums months for the year profile', () => {
    const data = energyByPeriod(
      'G11',
      periodsByMonth([
        [{ ...hours[0], date: '2026-01-31', zone: zonesOfTariff('G11')[0] }],
        [{ ...hours[1], date: '2026-02-01', zone: zonesOfTariff('G11')[0] }],
        [{ ...hours[3], date: '2026-03-01', zone: zonesOfTariff('G11')[0] }],
      ]),
      'consum',
    ) as any;
    assert.deepEqual(data.values, [1.2, 0.3, null]);
    assert.deepEqual(data.labels, [1, 2, 3]);
    assert.deepEqual(data.tooltipLabels, ['01.2026', '02.2026', '03.2026']);
    assert.equal(data.sum, 1.5);
  });

  it('writes the CSV in each header variant, without rows for missing hours', () => {
    assert.equal(
      csvExport(hours, ['consum', 'oze'], '2025'),
      [
        'Data; Strefa; Wartość kWh;Rodzaj;',
        '2026-10-25 2:00;T2;1,200;pobór;',
        '2026-10-25 3:00;T2;0,300;pobór;',
        '2026-10-25 3:00;T1;0,000;pobór;',
        '2026-10-25 2:00;T2;0,000;oddanie;',
        '2026-10-25 3:00;T2;0,500;oddanie;',
        '2026-10-25 3:00;T1;1,005;oddanie;',
        '',
      ].join('\n'),
    );
    const old = csvExport(hours.slice(0, 1), ['netto'], '2023');
    assert.equal(old, 'Data; Wartość kWh;Rodzaj;\n2026-10-25 2:00;1,200;pobrana po zbilansowaniu;\n');
    const next = csvExport(hours.slice(1, 2), ['netto_oze'], '2026', true);
    assert.equal(
      next,
      '\ufeffData; Strefa; Wartość ;Rodzaj;Status;\n2026-10-25 3:00;T2;0,200;oddana po zbilansowaniu [kWh];licznik;\n',
    );
  });

  it('has a demo account with a G11 and a G12W prosumer and a business point', () => {
    const points = DEMO_ACCOUNT.meterPoints;
    assert.equal(DEMO_ACCOUNT.username, 'demo@example.com');
    assert.deepEqual(
      points.map((p) => [p.tariff, p.pvKw > 0, p.type]),
      [
        ['G11', true, ''],
        ['G12W', true, ''],
        ['C11', true, 'WO'],
      ],
    );
    for (const p of points) {
      assert.match(p.id, /^\d+_\d+_\d+$/);
      assert.match(p.ppe, /^5903\d{14}$/);
    }
  });
});
