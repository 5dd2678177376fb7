/**
 * Public types of the local eLicznik simulator. `index.ts` re-exports them; the other simulator
 * modules import them from here so that no module depends on the server.
 */

/** One meter point (punkt poboru) of a simulated account. */
export interface SimMeterPoint {
  /** Site id the eLicznik API uses, `<digits>_<digits>_<digits>`, e.g. `600123456_60123456_7123456`. */
  id: string;
  /** The 18-digit PPE number (`5903…`), shown first in the meter point list. */
  ppe: string;
  /** `''` for an ordinary (household) point, `'WO'` for a business point served by `/energia/wo/api`. */
  type: string;
  /** Tariff code: `G11`, `G12`, `G12W`, `G13`, `C11`, …; unknown codes are served as one all-day zone. */
  tariff: 'G11' | 'G12W' | 'G13' | string;
  /** Installed PV power in kWp; 0 = no PV (the export series is then all zeros). */
  pvKw: number;
  /** Address text shown after the PPE number in the meter point list. */
  name?: string;
}

/** A simulated eLicznik account. */
export interface SimAccount {
  /** Login name, an e-mail address (matched case-insensitively, like Keycloak does). */
  username: string;
  password: string;
  /** The account's meter points; the first one is the default selection of a new session. */
  meterPoints: SimMeterPoint[];
}

/** Variants of the CSV export header, for parser tests. */
export type SimCsvHeader =
  /** `Data; Wartość kWh;Rodzaj;` — the 2023 export without a zone column. */
  | '2023'
  /** `Data; Strefa; Wartość kWh;Rodzaj;` — the export as seen since late 2025 (default). */
  | '2025'
  /** `Data; Strefa; Wartość ;Rodzaj;Status;` with ` [kWh]` after each series name and `licznik` in Status. */
  | '2026';

/** How the login form tag is laid out on the Keycloak page. */
export type SimLoginMarkup =
  /** `<form id="kc-form-login" onsubmit="…" action="…" method="post">` on one line (Keycloak's own theme). */
  | 'single-line'
  /** One attribute per line, with `class`, `novalidate` and `onsubmit` between `id` and `action` (default). */
  | 'multi-line';

/**
 * Switchable faults and quirks. A plain mutable object: tests set fields directly
 * (`sim.faults.rateLimited = true`) and call `resetFaults()` to go back to the defaults.
 */
export interface SimFaults {
  /** Every credentials POST is answered as a wrong password (counts towards the block). Default false. */
  rejectAllPasswords: boolean;
  /**
   * Wrong passwords in a row that block the account for 8 h; the answer to the N-th wrong password
   * already carries the block text. Default 5. 0 or less disables the automatic block.
   */
  blockAfterFailures: number;
  /**
   * Login attempts (credential POSTs, right or wrong) an account may make in any 24 hours; the next
   * one blocks it for 8 h with TAURON's "Przekroczono maksymalną ilość logowań na dobę" text, and
   * every attempt during the block extends it. Single sign-on does not count. 0 or less = off.
   * Default: the `dailyLoginLimit` option (10).
   */
  dailyLoginLimit: number;
  /** The account is blocked now, whatever the password: every login answer carries the block text. */
  blocked: boolean;
  /** Every eLicznik request is redirected (302) to `/blokada`, a "too many requests" page. */
  rateLimited: boolean;
  /** The next N requests (either host) are answered with 503 and 502 in turn, then service is normal. */
  serverErrors: number;
  /** Delay in ms before every answer (either host). */
  latencyMs: number;
  /** The data endpoints (JSON and CSV) answer an HTML maintenance page with status 200. */
  htmlInsteadOfJson: boolean;
  /**
   * The next N requests of the eLicznik start page, `/ustaw_punkt` and the data endpoints (JSON,
   * registers, CSV) are answered with the maintenance page (status 200, whether or not the session
   * is valid), then service is normal: a short maintenance. Default 0.
   */
  maintenancePages: number;
  /** The paths `maintenancePages` applies to, e.g. `['/energia/do/dane']`; empty (default) = all of them. */
  maintenancePaths: string[];
  /** The JSON data endpoints answer `{"success":false}`. */
  successFalse: boolean;
  /**
   * Hour labels from this one on (inclusive, both copies of label 3 on the autumn DST day) have no
   * data yet on the newest day with data; null = off.
   */
  nullFromHour: number | null;
  /**
   * `allData` entries carry `EC: null` (while `values` and `Status` keep their numbers) for these
   * hour labels; `true` = labels 5, 6 and 7; `false` = off.
   */
  ecNull: boolean | number[];
  /** JSON energy answers come without `allData` (clients must rebuild hours from `values`). */
  missingAllData: boolean;
  /** The login entry and the Keycloak pages answer a maintenance page without a login form. */
  maintenanceLogin: boolean;
  /** Header variant of the CSV export. Default `'2025'`. */
  csvHeader: SimCsvHeader;
  /** The CSV starts with a UTF-8 byte order mark. Default false. */
  csvBom: boolean;
  /** Dates (`YYYY-MM-DD`) the service has no data for at all (gaps), although they are in the past. */
  missingDays: string[];
  /** Layout of the Keycloak login form tag. Default `'multi-line'`. */
  loginMarkup: SimLoginMarkup;
  /**
   * Hours whose balanced series (`netto`, `netto_oze`; JSON, CSV and the month/year sums) differ
   * from the hourly balance of the served ECP and ECO, as TAURON's own figures sometimes do.
   * Default none.
   */
  balancedDifferences: SimBalancedDifference[];
}

/**
 * One hour where the simulator's balanced series is not the hourly balance of its ECP and ECO.
 * The amounts are added to the balanced values the hour would have; a served value never goes
 * below 0, and an hour without ECP and ECO stays without balanced values.
 */
export interface SimBalancedDifference {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** Service hour label 1..24 (hour ending). */
  hour: number;
  /** The second copy of label 3 on the autumn DST day. Default false. */
  repeated?: boolean;
  /** kWh added to the balanced import (`netto`); may be negative. */
  ecbp?: number;
  /** kWh added to the balanced export (`netto_oze`); may be negative. */
  ecbo?: number;
}

/** Request counters, for tests that assert how many calls a client made. */
export interface SimStats {
  /** Successful credential logins (a POST of the right username and password). */
  logins: number;
  /** Every credentials POST to the Keycloak form, right or wrong, blocked or not. */
  loginAttempts: number;
  /** New eLicznik sessions (`PHPSESSID`) handed out, by a credential login or by single sign-on. */
  sessionsCreated: number;
  /** Requests per path (no query string) on either host, e.g. `requests['/energia/api']`. */
  requests: Record<string, number>;
  /** Times the daily login limit blocked an account. */
  dailyLimitBlocks: number;
  /** Requests of the CSV export `/energia/do/dane`. */
  csvRequests: number;
  /** Requests of the JSON data endpoints `/energia/api`, `/energia/wo/api` and `/odczyty/api`. */
  dataRequests: number;
  /** Sets every counter back to zero. */
  reset(): void;
}

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** eLicznik host port; 0 (default) = a free port. */
  port?: number;
  /** Login host port; 0 (default) = a free port. */
  loginPort?: number;
  /** `YYYY-MM-DD` local date treated as today; default: the Warsaw date of `now()`. */
  today?: string;
  /** Clock for today, partial data and session expiry (tests pass a fake). Default `Date.now`. */
  now?: () => number;
  /** Accounts; default `[DEMO_ACCOUNT]`. */
  accounts?: SimAccount[];
  /** Login attempts per account in any 24 hours before TAURON's daily block; default 10, 0 = off. */
  dailyLoginLimit?: number;
  /** Idle time after which an eLicznik session is gone. Default 15 min. */
  sessionTtlMs?: number;
  /** Idle time after which the Keycloak single sign-on session is gone. Default 30 min. */
  ssoTtlMs?: number;
  /**
   * Hours after an hour of today ends until its data is served; null (default) = today has no
   * data at all. Days before today are always complete.
   */
  todayDelayHours?: number | null;
  /** Receives one line per request and per login event; never passwords, cookies or codes. */
  log?: (line: string) => void;
}

/** One hour of the data the simulator serves (kWh, null = not available yet). */
export interface SimHourTruth {
  /** Service hour label 1..24 (hour ending). */
  hour: number;
  /** The second copy of label 3 on the autumn DST day. */
  repeated: boolean;
  /** Energy taken from the grid, kWh with 3 decimals, or null when not served yet. */
  ecp: number | null;
  /** Energy given to the grid, kWh with 3 decimals, or null when not served yet. */
  eco: number | null;
  /** Zone code, `T1`…`T3`. */
  zone: string;
  /** The balanced import served (`netto`), kWh, or null; differs from the balance under `balancedDifferences`. */
  tauronEcbp: number | null;
  /** The balanced export served (`netto_oze`), kWh, or null. */
  tauronEcbo: number | null;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** `http://127.0.0.1:<port>`, the eLicznik host. */
  serviceUrl: string;
  /** `http://localhost:<loginPort>`, the login host (another host name, so the cookies stay apart). */
  loginUrl: string;
  stats: SimStats;
  faults: SimFaults;
  /** Puts every fault back to its default. */
  resetFaults(): void;
  /** Treats `date` (`YYYY-MM-DD`) as today from now on. */
  setToday(date: string): void;
  /** Hours after an hour of today ends until it is served; null = no data for today. */
  setTodayDelay(hours: number | null): void;
  /** Every eLicznik session becomes invalid (the Keycloak single sign-on session stays). */
  expireSessions(): void;
  /** Every Keycloak single sign-on session becomes invalid (the next login needs the password). */
  expireSsoSessions(): void;
  /** End of the account's block (epoch ms) when it is blocked now, else null. */
  blockedUntil(username: string): number | null;
  /** Lifts every account block and forgets the counted wrong passwords and the login history. */
  unblockAccounts(): void;
  /** Credential POSTs (right or wrong) of the account in the last 24 hours. */
  loginAttemptsInLastDay(username: string): number;
  /** The hours the simulator serves for a meter point and day, for tests to compare against. */
  hourly(meterPointId: string, date: string): SimHourTruth[];
  /** Closes both servers and every socket (keep-alive ones too) promptly. */
  close(): Promise<void>;
}
