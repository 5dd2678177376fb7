/**
 * The eLicznik client library: log in to TAURON eLicznik, list and select meter points, and read
 * hourly data, totals and register readings. Plain TypeScript without Node-RED.
 */
export {
  ElicznikClient,
  DEFAULT_SERVICE_URL,
  DEFAULT_LOGIN_URL,
  BLOCK_DURATION_MS,
  MAX_CSV_DAYS,
  MAX_REGISTER_DAYS,
  splitRange,
  type ElicznikClientOptions,
  type SessionStore,
  type LoginGateContext,
  type LoginReason,
  type HourlyQuery,
  type HourlyProgress,
  type HourlySource,
  type TotalsQuery,
  type RegistersQuery,
  type SelectedMeterPoint,
  type ClientStatus,
} from './client';
export {
  ElicznikError,
  WrongCredentialsError,
  AccountBlockedError,
  RateLimitedError,
  LoginBudgetError,
  ServiceUnavailableError,
  ServiceChangedError,
  BadInputError,
  ERROR_CODES,
  isElicznikError,
  redactExcerpt,
  type ElicznikErrorCode,
  type ElicznikErrorDetails,
  type ElicznikErrorJson,
} from '../errors';
export {
  parseLoginForm,
  parseMeterPoints,
  parseOptionType,
  parseTariff,
  pageShowsUser,
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  looksLikeHtml,
  type LoginForm,
  type MeterPoint,
} from './pages';
export { classifyLoginAnswer, isLoginTimeoutPage, type LoginAnswer, type LoginOutcome } from './login';
export { parseCsvExport, parseCsvDate, parseKwh, seriesOfKind, type CsvHour } from './csv';
export {
  parseEnergyDay,
  parseEnergyPeriods,
  successData,
  energyData,
  zoneTable,
  toKwh,
  type EnergyDay,
  type EnergyPeriods,
  type JsonHour,
  type ZoneInfo,
} from './energy-json';
export {
  parseRegisterResponse,
  parseRegisterDate,
  mergeRegisters,
  type RegisterReading,
  type RegisterEntry,
  type RegisterValues,
} from './registers';
export { buildHourRecords, type SeriesHour, type BuildHoursInput } from './hourly';
export {
  ALL_SERIES,
  DEFAULT_SERIES,
  SERIES_NAMES,
  isEnergySeries,
  type EnergySeries,
  type SeriesNames,
} from './series';
export { decodeText, decompressBody } from './decode';
export { EXCHANGE_BODY_LIMIT, defaultSleep, type HttpExchange, type Sleep } from './http';
export { userAgent, packageVersion, PACKAGE_NAME } from './version';
