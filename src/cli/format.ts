/**
 * Output formats of the `elicznik` command: JSON with one record per line, and CSV with a header
 * and empty cells for nulls, for scripts or for a Polish spreadsheet ({@link CsvStyle}).
 */
import type { HourRecord } from '../energy/hour';
import type { EnergySeries } from '../energy/totals';

/** A JSON array with one element per line (readable, and still one valid JSON document). */
export function jsonLines(items: readonly unknown[]): string {
  let text = '';
  for (const part of jsonLineParts(items)) text += part;
  return text;
}

/**
 * {@link jsonLines}' text in parts of up to `perPart` elements, in order, so that a long array is
 * written as it is made rather than held as one text first.
 */
export function* jsonLineParts(items: readonly unknown[], perPart = 500): Generator<string> {
  if (items.length === 0) {
    yield '[]\n';
    return;
  }
  for (let start = 0; start < items.length; start += perPart) {
    const end = Math.min(start + perPart, items.length);
    let text = start === 0 ? `[\n${JSON.stringify(items[0]) ?? ''}` : '';
    for (let i = start === 0 ? 1 : start; i < end; i++) {
      text += ',\n';
      text += JSON.stringify(items[i]) ?? '';
    }
    yield end === items.length ? `${text}\n]\n` : text;
  }
}

/**
 * How a CSV is written: `en` for scripts (',' between cells, a decimal dot), `pl` for a Polish
 * spreadsheet (';' between cells, a decimal comma, and a UTF-8 byte order mark so that Excel does
 * not read the text as Windows-1250). Column names are the same in both.
 */
export type CsvStyle = 'en' | 'pl';

/** One CSV cell: null/undefined empty, quoted when it holds the separator, a quote or a line break. */
export function csvCell(value: unknown, style: CsvStyle = 'en'): string {
  if (value === null || value === undefined) return '';
  const text = style === 'pl' && typeof value === 'number' ? String(value).replace('.', ',') : String(value);
  return (style === 'pl' ? /[";\r\n]/ : /[",\r\n]/).test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text of rows (objects) with the given columns, CRLF-free (LF line ends). */
export function csvTable(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  style: CsvStyle = 'en',
): string {
  const sep = style === 'pl' ? ';' : ',';
  const lines = [columns.map((c) => csvCell(c, style)).join(sep)];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c], style)).join(sep));
  return `${style === 'pl' ? '\ufeff' : ''}${lines.join('\n')}\n`;
}

/** The CSV columns of hour records: time fields, zone, the fetched series, completeness, point, tariff. */
export function hourColumns(series: readonly EnergySeries[]): string[] {
  const extra = series.filter((s) => s === 'tauronEcbp' || s === 'tauronEcbo');
  return [
    'hourStart',
    'hourEnd',
    'date',
    'hour',
    'repeated',
    'zone',
    'zoneName',
    'ecp',
    'eco',
    ...extra,
    'dayComplete',
    'meterPoint',
    'tariff',
  ];
}

/** Hour records as CSV. */
export function hoursCsv(
  records: readonly HourRecord[],
  series: readonly EnergySeries[],
  style: CsvStyle = 'en',
): string {
  return csvTable(hourColumns(series), records as unknown as Record<string, unknown>[], style);
}
