/**
 * What every user of one eLicznik account shares while its client is open: the client, the cache
 * of complete days, the requests in flight (joined when identical) and the account's state for
 * status displays.
 */
import type { ElicznikClient } from '../client/client';
import { ExchangeRecorder } from '../diagnostics/recorder';
import { type ElicznikError, isElicznikError } from '../client/errors';
import type { RegisterReading } from '../client/registers';
import { ALL_SERIES, type EnergySeries } from '../client/series';
import type { HourRecord } from '../energy/hour';
import { localDatesInRange } from '../energy/time';
import { Coalescer } from './coalesce';
import { DayCache, recordsByDate } from './day-cache';

/** Hourly data wanted for one meter point. */
export interface HoursQuery {
  /** Site id (or PPE number); `''` = the account's first meter point. */
  meterPoint: string;
  /** First local date `YYYY-MM-DD`. */
  from: string;
  /** Last local date, included. */
  to: string;
  /** The series to fetch (at least one). */
  series: readonly EnergySeries[];
}

/** Hour records of a range and where they came from. */
export interface HoursResult {
  /** Every clock hour of the range, in order; values null where the service has none yet. */
  records: HourRecord[];
  /** Dates served from the cache. */
  cachedDays: string[];
  /** Dates asked from the service. */
  fetchedDays: string[];
}

/** Register readings wanted for one meter point. */
export interface RegistersQuery {
  meterPoint: string;
  from: string;
  to: string;
}

/** A meter point of the account as the configuration dialog lists it. */
export interface MeterPointInfo {
  /** Site id used by the API. */
  id: string;
  /** The 18-digit PPE number, when the service shows it. */
  ppe: string | null;
  /** Display text (PPE number and address). */
  name: string;
  /** `''` for household points, `WO` for business ones. */
  type: string;
  /** Tariff code, or null when the service does not say. */
  tariff: string | null;
}

/** The account's state after a call: fine, or the error it ended with. */
export type AccountState = { ok: true } | { ok: false; error: ElicznikError };

/** What outlives one client of the account (kept by the session pool). */
export interface AccountMemory {
  /** Complete days already fetched. */
  readonly cache: DayCache;
  /** Tariff per meter point id, once known. */
  readonly tariffs: Map<string, string | null>;
  /** Told about every error the account's calls end with; the call ends after it has finished. */
  remember(error: ElicznikError): void | Promise<void>;
}

/** The series in the service's order, without repeats. */
export function canonicalSeries(series: readonly EnergySeries[]): EnergySeries[] {
  return ALL_SERIES.filter((s) => series.includes(s));
}

function copyRecords(records: readonly HourRecord[]): HourRecord[] {
  return records.map((r) => ({ ...r }));
}

/** The shared view of one account while its client is open. */
export class AccountSession {
  private readonly coalescer = new Coalescer();
  private readonly listeners = new Set<(state: AccountState) => void>();
  private exchangeRecorder: ExchangeRecorder | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private keepAliveMs = 0;
  private lastActivity = Date.now();
  private closed = false;

  constructor(
    /** The account's client; calls run one at a time inside it. */
    readonly client: ElicznikClient,
    private readonly memory: AccountMemory,
  ) {}

  /**
   * Keeps the eLicznik session alive while the account is idle: when no call has run for
   * `intervalMs`, one cheap request refreshes it (never a login). The shortest interval asked for
   * wins; 0 asks for nothing. The timer does not keep the process alive and stops with {@link close}.
   */
  keepAlive(intervalMs: number): void {
    if (this.closed || !(intervalMs > 0)) return;
    if (this.keepAliveTimer && intervalMs >= this.keepAliveMs) return;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveMs = intervalMs;
    this.keepAliveTimer = setInterval(() => {
      if (Date.now() - this.lastActivity < this.keepAliveMs * 0.9 || this.coalescer.size > 0) return;
      this.lastActivity = Date.now();
      void this.client.keepAlive();
    }, intervalMs);
    this.keepAliveTimer.unref();
  }

  /** Stops the keep-alive and closes the client. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    await this.client.close();
  }

  /** Starts keeping the account's last HTTP exchanges (for dumps); once started, it goes on. */
  recordExchanges(): void {
    if (this.exchangeRecorder) return;
    this.exchangeRecorder = new ExchangeRecorder();
    this.client.watchExchanges(this.exchangeRecorder.record);
  }

  /** The account's last HTTP exchanges, when {@link recordExchanges} was asked for. */
  get recorder(): ExchangeRecorder | undefined {
    return this.exchangeRecorder;
  }

  /** The cache of complete days (shared with later clients of the account). */
  get cache(): DayCache {
    return this.memory.cache;
  }

  /** Calls in flight (after joining identical ones). */
  get pending(): number {
    return this.coalescer.size;
  }

  /**
   * Hour records of a range: complete past days from the cache, the rest in one client call
   * spanning the days not cached. A call identical to one in flight joins it. Every caller gets
   * its own copies of the records.
   * @param today local date `YYYY-MM-DD`; only days before it are cached
   */
  async hours(query: HoursQuery, today: string): Promise<HoursResult> {
    const series = canonicalSeries(query.series);
    const key = ['hours', query.meterPoint, query.from, query.to, series.join(',')].join('\n');
    const result = await this.coalescer.run(key, () =>
      this.track(this.loadHours(query.meterPoint, query.from, query.to, series, today)),
    );
    return { ...result, records: copyRecords(result.records) };
  }

  /** Register readings per day of a range (joined with an identical call in flight). */
  async registers(query: RegistersQuery): Promise<RegisterReading[]> {
    const key = ['registers', query.meterPoint, query.from, query.to].join('\n');
    const readings = await this.coalescer.run(key, () =>
      this.track(
        this.client.getRegisters({
          ...(query.meterPoint ? { meterPoint: query.meterPoint } : {}),
          from: query.from,
          to: query.to,
        }),
      ),
    );
    return readings.map((r) => structuredClone(r));
  }

  /** The account's meter points with their tariffs (the tariff of each is asked for once). */
  async meterPoints(): Promise<MeterPointInfo[]> {
    const points = await this.coalescer.run('meter-points', () => this.track(this.loadMeterPoints()));
    return points.map((p) => ({ ...p }));
  }

  /**
   * Calls `listener` after every call of the account with its outcome.
   * @returns a function that stops the calls
   */
  onState(listener: (state: AccountState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async loadHours(
    meterPoint: string,
    from: string,
    to: string,
    series: EnergySeries[],
    today: string,
  ): Promise<HoursResult> {
    const cache = this.memory.cache;
    const cached = new Map<string, HourRecord[]>();
    const missing: string[] = [];
    for (const date of localDatesInRange(from, to)) {
      const day = cache.get(meterPoint, series, date);
      if (day) cached.set(date, day);
      else missing.push(date);
    }
    let fetched = new Map<string, HourRecord[]>();
    if (missing.length > 0) {
      const records = await this.client.getHourly({
        ...(meterPoint ? { meterPoint } : {}),
        from: missing[0],
        to: missing[missing.length - 1],
        series,
      });
      cache.putCompleteDays(meterPoint, series, records, today);
      fetched = recordsByDate(records);
    }
    const records: HourRecord[] = [];
    const cachedDays: string[] = [];
    for (const date of localDatesInRange(from, to)) {
      const day = fetched.get(date) ?? cached.get(date);
      if (!day) continue;
      if (!fetched.has(date)) cachedDays.push(date);
      records.push(...day);
    }
    return { records, cachedDays, fetchedDays: [...fetched.keys()] };
  }

  private async loadMeterPoints(): Promise<MeterPointInfo[]> {
    const points = await this.client.getMeterPoints();
    const out: MeterPointInfo[] = [];
    for (const p of points) {
      let tariff = this.memory.tariffs.get(p.id);
      if (tariff === undefined) {
        tariff = (await this.client.selectMeterPoint(p.id)).tariff;
        this.memory.tariffs.set(p.id, tariff);
      }
      out.push({ id: p.id, ppe: p.ppe, name: p.name, type: p.type, tariff });
    }
    return out;
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.lastActivity = Date.now();
    try {
      const result = await work;
      this.lastActivity = Date.now();
      this.emit({ ok: true });
      return result;
    } catch (err) {
      if (isElicznikError(err)) {
        await this.memory.remember(err);
        this.emit({ ok: false, error: err });
      }
      throw err;
    }
  }

  private emit(state: AccountState): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch {
        // a status display must not break the call it reports on
      }
    }
  }
}
