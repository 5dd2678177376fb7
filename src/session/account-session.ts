/**
 * What every user of one eLicznik account shares while its client is open: the client, the cache
 * of complete days, the requests in flight (joined when identical), the keep-alive and the
 * account's state for status displays.
 */
import type { ElicznikClient, HourlyProgress } from '../client/client';
import { ExchangeRecorder } from '../diagnostics/recorder';
import { type ElicznikError, isElicznikError } from '../errors';
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

/** The keep-alive interval when the user sets none: 30 minutes. */
export const DEFAULT_KEEP_ALIVE_MS = 30 * 60_000;
/** No keep-alive once the account has had no call for this long (2 hours): the session may lapse. */
export const KEEP_ALIVE_IDLE_LIMIT_MS = 2 * 60 * 60_000;
/** Keep-alive requests an account may send in any 24 hours: 24, at least an hour apart. */
export const KEEP_ALIVE_DAILY_LIMIT = 24;
/** Shortest time between two keep-alive requests of an account: a day spread over the daily limit. */
export const KEEP_ALIVE_SPACING_MS = (24 * 60 * 60_000) / KEEP_ALIVE_DAILY_LIMIT;

/** The account's state after a call: fine, or the error it ended with. */
export type AccountState = { ok: true } | { ok: false; error: ElicznikError };

/** What outlives one client of the account (kept by the session pool). */
export interface AccountMemory {
  /** Complete days already fetched. */
  readonly cache: DayCache;
  /** Tariff per meter point id, once known. */
  readonly tariffs: Map<string, string | null>;
  /** When the account's last keep-alive request was sent (epoch ms), across its clients. */
  readonly keepAlive: { lastMs?: number };
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
  /** Progress listeners per hours call in flight (a joined call listens too). */
  private readonly progress = new Map<string, Set<(progress: HourlyProgress) => void>>();
  private readonly listeners = new Set<(state: AccountState) => void>();
  private exchangeRecorder: ExchangeRecorder | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private keepAliveMs = 0;
  /** End of the last call, epoch ms; undefined before the first one and once the session is gone. */
  private lastUse: number | undefined;
  /** End of the last request of a call or of the keep-alive, epoch ms. */
  private lastRequest = 0;
  private closed = false;

  constructor(
    /** The account's client; calls run one at a time inside it. */
    readonly client: ElicznikClient,
    private readonly memory: AccountMemory,
  ) {}

  /**
   * Keeps the eLicznik session alive while the account is in use, so that calls that come less
   * than about 2 hours apart (a flow polling every hour for late data) share one login: when no
   * call and no keep-alive has run for `intervalMs`, one GET of the start page refreshes the
   * session (never a login). Keep-alives of an account are at least an hour apart
   * ({@link KEEP_ALIVE_SPACING_MS}, so at most {@link KEEP_ALIVE_DAILY_LIMIT} a day) and stop
   * {@link KEEP_ALIVE_IDLE_LIMIT_MS} after the last call, or when the session turns out to be gone;
   * the next call starts them again. An hourly flow thus sends one between two fetches, and a
   * single fetch is followed by two (after 30 and 90 minutes with the default interval). The
   * shortest interval asked for wins; 0 asks for nothing. The timer does not keep the process
   * alive and stops with {@link close}.
   */
  keepAlive(intervalMs: number): void {
    if (this.closed || !(intervalMs > 0)) return;
    if (this.keepAliveMs > 0 && intervalMs >= this.keepAliveMs) return;
    this.keepAliveMs = intervalMs;
    this.scheduleKeepAlive();
  }

  /** Stops the keep-alive and closes the client. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    await this.client.close();
  }

  /** Arms the keep-alive timer for the next request that is due, if one is. */
  private scheduleKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    if (this.closed || !(this.keepAliveMs > 0) || this.lastUse === undefined) return;
    const last = this.memory.keepAlive.lastMs;
    const due = Math.max(
      this.lastRequest + this.keepAliveMs,
      last === undefined ? 0 : last + KEEP_ALIVE_SPACING_MS,
    );
    if (due - this.lastUse >= KEEP_ALIVE_IDLE_LIMIT_MS) return;
    this.keepAliveTimer = setTimeout(() => this.sendKeepAlive(), Math.max(0, due - Date.now()));
    this.keepAliveTimer.unref();
  }

  private sendKeepAlive(): void {
    this.keepAliveTimer = undefined;
    // a call in flight refreshes the session itself and arms the timer again when it ends
    if (this.closed || this.coalescer.size > 0 || this.lastUse === undefined) return;
    const now = Date.now();
    if (now - this.lastUse >= KEEP_ALIVE_IDLE_LIMIT_MS) return;
    const last = this.memory.keepAlive.lastMs;
    if (last !== undefined && now - last < KEEP_ALIVE_SPACING_MS) {
      this.scheduleKeepAlive();
      return;
    }
    this.memory.keepAlive.lastMs = now;
    void this.coalescer
      .run('keep-alive', () => this.client.keepAlive())
      .then((alive) => {
        this.lastRequest = Date.now();
        if (!alive) this.lastUse = undefined;
        this.scheduleKeepAlive();
      });
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
   * @param onProgress told after every request of the days not cached (also when joined)
   */
  async hours(
    query: HoursQuery,
    today: string,
    onProgress?: (progress: HourlyProgress) => void,
  ): Promise<HoursResult> {
    const series = canonicalSeries(query.series);
    const key = ['hours', query.meterPoint, query.from, query.to, series.join(',')].join('\n');
    let listeners = this.progress.get(key);
    if (onProgress) {
      if (!listeners) this.progress.set(key, (listeners = new Set()));
      listeners.add(onProgress);
    }
    const tell = (p: HourlyProgress) => {
      for (const listener of this.progress.get(key) ?? []) listener(p);
    };
    try {
      const result = await this.coalescer.run(key, () =>
        this.track(this.loadHours(query.meterPoint, query.from, query.to, series, today, tell)),
      );
      return { ...result, records: copyRecords(result.records) };
    } finally {
      if (onProgress && listeners) {
        listeners.delete(onProgress);
        if (listeners.size === 0 && this.progress.get(key) === listeners) this.progress.delete(key);
      }
    }
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
    onProgress: (progress: HourlyProgress) => void,
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
        onProgress,
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
    try {
      const result = await work;
      this.used();
      this.emit({ ok: true });
      return result;
    } catch (err) {
      this.used();
      if (isElicznikError(err)) this.emit({ ok: false, error: err });
      throw err;
    }
  }

  /** A call ended: the account is in use, so its session is worth keeping for a while. */
  private used(): void {
    this.lastUse = Date.now();
    this.lastRequest = this.lastUse;
    this.scheduleKeepAlive();
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
