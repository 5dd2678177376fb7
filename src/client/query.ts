/**
 * The arguments of the data calls: dates and series checked (a `BAD_INPUT` error names what is
 * wrong), and ranges split into the requests the service accepts.
 */
import { BadInputError } from '../errors';
import { addLocalDays, isLocalDate, localDaysBetween } from '../energy/time';
import { ALL_SERIES, DEFAULT_SERIES, isEnergySeries, type EnergySeries } from './series';

/** Splits `from`..`to` into consecutive ranges of at most `maxDays` days. */
export function splitRange(from: string, to: string, maxDays: number): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (let start = from; start <= to;) {
    const endCandidate = addLocalDays(start, maxDays - 1);
    const end = endCandidate < to ? endCandidate : to;
    out.push({ from: start, to: end });
    start = addLocalDays(end, 1);
  }
  return out;
}

/** `from` and `to` as local dates, `to` not before `from`. */
export function checkRange(from: unknown, to: unknown): { from: string; to: string } {
  if (!isLocalDate(from))
    throw new BadInputError(`"from" must be a date YYYY-MM-DD, got ${JSON.stringify(from)}.`);
  if (!isLocalDate(to)) throw new BadInputError(`"to" must be a date YYYY-MM-DD, got ${JSON.stringify(to)}.`);
  if (localDaysBetween(from, to) < 0) throw new BadInputError(`"to" (${to}) is before "from" (${from}).`);
  return { from, to };
}

/** The series asked for, in the canonical order; the default ones when none are given. */
export function checkSeries(series: unknown): EnergySeries[] {
  if (series === undefined) return [...DEFAULT_SERIES];
  if (!Array.isArray(series) || series.length === 0 || !series.every(isEnergySeries)) {
    throw new BadInputError(`"series" must be a non-empty list of ${ALL_SERIES.join(', ')}.`);
  }
  return ALL_SERIES.filter((s) => series.includes(s));
}
