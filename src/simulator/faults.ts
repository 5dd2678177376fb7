/**
 * The simulator's switchable faults (`SimFaults`): their defaults, and the faults that answer a
 * request before any route does: injected 5xx answers and a short maintenance of chosen paths.
 * The faults of one part (the login host's blocks, the data endpoints' quirks) are read there.
 */
import { html, type Reply, type SimContext } from './host';
import { messagePage } from './pages';
import type { SimFaults } from './types';

/** TAURON's daily login limit as the simulator applies it unless told otherwise. */
export const DEFAULT_DAILY_LOGIN_LIMIT = 10;

/** The eLicznik pages and endpoints a short maintenance (`faults.maintenancePages`) answers. */
const MAINTENANCE_PATHS: ReadonlySet<string> = new Set([
  '/',
  '/ustaw_punkt',
  '/energia/api',
  '/energia/wo/api',
  '/odczyty/api',
  '/energia/do/dane',
]);

/** The default of every fault: normal service. */
export function defaultFaults(dailyLoginLimit: number = DEFAULT_DAILY_LOGIN_LIMIT): SimFaults {
  return {
    rejectAllPasswords: false,
    blockAfterFailures: 5,
    dailyLoginLimit,
    blocked: false,
    rateLimited: false,
    serverErrors: 0,
    latencyMs: 0,
    htmlInsteadOfJson: false,
    maintenancePages: 0,
    maintenancePaths: [],
    successFalse: false,
    nullFromHour: null,
    ecNull: false,
    missingAllData: false,
    maintenanceLogin: false,
    csvHeader: '2025',
    csvBom: false,
    missingDays: [],
    loginMarkup: 'multi-line',
    balancedDifferences: [],
  };
}

/** The injected 5xx answers of `faults.serverErrors`: 503 and 502 in turn, on either host. */
export class ServerErrors {
  private served = 0;

  constructor(private readonly faults: SimFaults) {}

  /** The next injected answer (one fewer left), or undefined when none is left. */
  next(): Reply | undefined {
    if (this.faults.serverErrors <= 0) return undefined;
    this.faults.serverErrors -= 1;
    const status = this.served++ % 2 === 0 ? 503 : 502;
    return html(messagePage(`${status}`, 'Usługa jest chwilowo niedostępna.'), status);
  }
}

/**
 * True (and one fewer left) when the `maintenancePages` fault answers this eLicznik request; the
 * request counts as the data or CSV request it was meant to be.
 */
export function maintenanceNow(ctx: SimContext, path: string): boolean {
  const f = ctx.faults;
  if (f.maintenancePages <= 0 || !MAINTENANCE_PATHS.has(path)) return false;
  if (f.maintenancePaths.length > 0 && !f.maintenancePaths.includes(path)) return false;
  f.maintenancePages -= 1;
  if (path === '/energia/do/dane') ctx.stats.csvRequests += 1;
  else if (path !== '/' && path !== '/ustaw_punkt') ctx.stats.dataRequests += 1;
  return true;
}

/** The hours whose `EC` value the `ecNull` fault takes away in `full time` answers. */
export function ecNullHours(faults: SimFaults): number[] {
  const f = faults.ecNull;
  if (f === true) return [5, 6, 7];
  return Array.isArray(f) ? f : [];
}
