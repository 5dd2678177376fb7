/**
 * A local stand-in for TAURON eLicznik and its Keycloak login host, for tests, the CLI's
 * `elicznik simulate` and the no-account demo. It reproduces the documented behaviour of the real
 * service (docs: `elicznik-service.md` sections 1–4): the login redirects and cookies of both hosts,
 * meter point selection, the JSON, register and CSV endpoints with their quirks, DST days, partial
 * and missing data, account blocks and the `/blokada` rate limit.
 */
export type {
  SimAccount,
  SimBalancedDifference,
  SimCsvHeader,
  SimFaults,
  SimHourTruth,
  SimLoginMarkup,
  SimMeterPoint,
  SimStats,
  SimulatorHandle,
  SimulatorOptions,
} from './types';
export { DEMO_ACCOUNT } from './demo-account';
export { startSimulator } from './server';
export { defaultFaults } from './faults';
export { BLOCK_MS } from './login-host';
export { MAX_RANGE_DAYS } from './endpoints';
export { generateDay, dayWeather, clearSkyPvPerKwp, type GeneratedHour } from './data';
