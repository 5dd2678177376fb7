import assert from 'node:assert/strict';
import { parseCsvDate, parseCsvExport, parseKwh, seriesOfKind } from '../../src/client/csv';
import { decodeText } from '../../src/client/decode';
import { ServiceChangedError } from '../../src/errors';
import { csvRows } from './fixtures';

function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

describe('client: CSV export parser', () => {
  it('reads the 2023 header (no zone) with LF lines, decimal comma and a trailing ;', () => {
    const text = [
      'Data; Wartość kWh;Rodzaj;',
      '2023-01-05 1:00;0,396;pobór;',
      '2023-01-05 2:00;0,215;pobór;',
      '2023-01-05 24:00;1,050;pobór;',
      '2023-01-05 1:00;0,000;oddanie;',
      '',
    ].join('\n');
    const rows = parseCsvExport(text);
    assert.deepEqual(rows, [
      { series: 'ecp', date: '2023-01-05', hour: 1, repeated: false, value: 0.396, zone: null },
      { series: 'ecp', date: '2023-01-05', hour: 2, repeated: false, value: 0.215, zone: null },
      { series: 'ecp', date: '2023-01-05', hour: 24, repeated: false, value: 1.05, zone: null },
      { series: 'eco', date: '2023-01-05', hour: 1, repeated: false, value: 0, zone: null },
    ]);
  });

  it('reads the January 2023 form: dd.mm.yyyy dates and a decimal dot', () => {
    const rows = parseCsvExport(
      'Data; Wartość kWh;Rodzaj;\n15.10.2021 1:00;0.221;pobór;\n15.10.2021 13:00;1.5;oddanie;\n',
    );
    assert.deepEqual(
      rows.map((r) => [r.series, r.date, r.hour, r.value]),
      [
        ['ecp', '2021-10-15', 1, 0.221],
        ['eco', '2021-10-15', 13, 1.5],
      ],
    );
  });

  it('reads the 2025 header with the zone column, CRLF lines and a BOM', () => {
    const text =
      '\uFEFFData; Strefa; Wartość kWh;Rodzaj;\r\n2025-05-01 1:00;T2;0,221;pobór;\r\n2025-05-01 2:00;T2;0,000;oddanie;\r\n';
    assert.deepEqual(parseCsvExport(text), [
      { series: 'ecp', date: '2025-05-01', hour: 1, repeated: false, value: 0.221, zone: 'T2' },
      { series: 'eco', date: '2025-05-01', hour: 2, repeated: false, value: 0, zone: 'T2' },
    ]);
  });

  it('reads the 2026 variant: "Wartość " header, a Status column and " [kWh]" after the series names', () => {
    const text = [
      'Data; Strefa; Wartość ;Rodzaj;Status;',
      '2026-02-01 7:00;T1;0,512;pobór [kWh];licznik;',
      '2026-02-01 7:00;T1;0,100;oddanie [kWh];licznik;',
      '2026-02-01 7:00;T1;0,412;pobrana po zbilansowaniu [kWh];licznik;',
      '2026-02-01 7:00;T1;0,000;oddana po zbilansowaniu [kWh];licznik;',
    ].join('\n');
    assert.deepEqual(
      parseCsvExport(text).map((r) => [r.series, r.value, r.zone]),
      [
        ['ecp', 0.512, 'T1'],
        ['eco', 0.1, 'T1'],
        ['tauronEcbp', 0.412, 'T1'],
        ['tauronEcbo', 0, 'T1'],
      ],
    );
  });

  it('finds columns by name whatever their order', () => {
    const rows = parseCsvExport('Rodzaj;Data;Wartość kWh;Strefa\noddanie;2025-06-01 12:00;2,5;T1\n');
    assert.deepEqual(rows, [
      { series: 'eco', date: '2025-06-01', hour: 12, repeated: false, value: 2.5, zone: 'T1' },
    ]);
  });

  it('marks the second label 3 on the autumn DST day as the repeated hour (25 rows)', () => {
    const labels = [1, 2, 3, 3, ...range(21, 4)];
    assert.equal(labels.length, 25);
    const text = [
      'Data; Wartość kWh;Rodzaj;',
      ...csvRows('2022-10-30', labels, 'pobór', (_, i) => `0,${100 + i}`),
    ].join('\n');
    const rows = parseCsvExport(text);
    assert.equal(rows.length, 25);
    assert.deepEqual(
      rows.filter((r) => r.hour === 3).map((r) => [r.repeated, r.value]),
      [
        [false, 0.102],
        [true, 0.103],
      ],
    );
    assert.equal(rows.filter((r) => r.repeated).length, 1);
  });

  it('reads the spring DST day with label 3 missing (23 rows)', () => {
    const labels = [1, 2, ...range(21, 4)];
    const text = [
      'Data; Wartość kWh;Rodzaj;',
      ...csvRows('2022-03-27', labels, 'oddanie', () => '0,010'),
    ].join('\n');
    const rows = parseCsvExport(text);
    assert.equal(rows.length, 23);
    assert.ok(!rows.some((r) => r.hour === 3));
  });

  it('leaves out a row for an hour that does not exist and further duplicates of a label', () => {
    const text = [
      'Data; Wartość kWh;Rodzaj;',
      '2022-03-27 3:00;0,000;pobór;',
      '2025-05-01 5:00;0,100;pobór;',
      '2025-05-01 5:00;0,200;pobór;',
    ].join('\n');
    assert.deepEqual(
      parseCsvExport(text).map((r) => [r.date, r.hour, r.repeated, r.value]),
      [['2025-05-01', 5, false, 0.1]],
    );
  });

  it('keeps only the rows of the requested range', () => {
    const text = [
      'Data; Wartość kWh;Rodzaj;',
      '2023-01-04 24:00;0,5;pobór;',
      '2023-01-05 1:00;0,6;pobór;',
    ].join('\n');
    assert.deepEqual(
      parseCsvExport(text, { from: '2023-01-05', to: '2023-01-05' }).map((r) => r.date),
      ['2023-01-05'],
    );
  });

  it('reads an empty cell as null', () => {
    assert.equal(parseCsvExport('Data; Wartość kWh;Rodzaj;\n2025-05-01 1:00;;pobór;\n')[0].value, null);
  });

  it('rejects an unknown header and a missing Rodzaj as SERVICE_CHANGED', () => {
    for (const text of [
      'Datum;Wert;Art;\n2025-05-01 1:00;1;pobór;',
      'Data; Wartość kWh;\n2025-05-01 1:00;1;',
      '',
    ]) {
      assert.throws(
        () => parseCsvExport(text),
        (e: unknown) => e instanceof ServiceChangedError && e.code === 'SERVICE_CHANGED' && e.step === 'csv',
      );
    }
    assert.throws(
      () => parseCsvExport('Data; Wartość kWh;Rodzaj;\n2025-05-01 1:00;1,0;;\n'),
      (e: unknown) => e instanceof ServiceChangedError && /Rodzaj/.test(e.message),
    );
  });

  it('rejects unknown series names, dates and numbers', () => {
    const bad = [
      'Data; Wartość kWh;Rodzaj;\n2025-05-01 1:00;1,0;zużycie;',
      'Data; Wartość kWh;Rodzaj;\n2025-05-01 1:15;1,0;pobór;',
      'Data; Wartość kWh;Rodzaj;\n2025-02-30 1:00;1,0;pobór;',
      'Data; Wartość kWh;Rodzaj;\n2025-05-01 0:00;1,0;pobór;',
      'Data; Wartość kWh;Rodzaj;\n2025-05-01 1:00;abc;pobór;',
    ];
    for (const text of bad) assert.throws(() => parseCsvExport(text), ServiceChangedError, text);
  });

  it('decodes Windows-1250 bytes when they are not valid UTF-8', () => {
    // "ś", "ć" and "ó" in Windows-1250 are the single bytes 0x9C, 0xE6 and 0xF3
    const bytes = Buffer.from(
      'Data; Warto\u009c\u00e6 kWh;Rodzaj;\n2025-05-01 1:00;0,5;pob\u00f3r;\n',
      'latin1',
    );
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    const decoded = decodeText(bytes);
    assert.match(decoded, /Wartość kWh/);
    assert.equal(parseCsvExport(decoded)[0].series, 'ecp');
  });

  it('decodes UTF-8 and drops the BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Data;pobór', 'utf8')]);
    assert.equal(decodeText(bytes), 'Data;pobór');
  });

  it('reads the small pieces: dates, numbers, series names', () => {
    assert.deepEqual(parseCsvDate('2023-01-05 24:00'), { date: '2023-01-05', hour: 24 });
    assert.deepEqual(parseCsvDate('5.1.2023 7:00'), { date: '2023-01-05', hour: 7 });
    assert.equal(parseCsvDate('2023-01-05 25:00'), undefined);
    assert.equal(parseKwh(' 0,396 '), 0.396);
    assert.equal(parseKwh('12.5'), 12.5);
    assert.equal(parseKwh(''), null);
    assert.equal(parseKwh('1e3'), undefined);
    assert.equal(seriesOfKind('POBÓR'), 'ecp');
    assert.equal(seriesOfKind('oddana po zbilansowaniu [kWh]'), 'tauronEcbo');
    assert.equal(seriesOfKind('pobrana  po zbilansowaniu'), 'tauronEcbp');
    assert.equal(seriesOfKind('prąd'), undefined);
  });
});
