/**
 * Entry point of `@prosument/node-red-elicznik` as a library: the eLicznik client, the energy
 * helpers (Warsaw clock hours, the hour record, balancing, live balance, ranges, totals, the check
 * against TAURON's balanced series and the invoice period, InfluxDB points), the settlement
 * (net-metering bank, net-billing deposit, RCE prices) and the local eLicznik simulator.
 * The Node-RED nodes live in `nodes/` and are loaded by Node-RED itself.
 */
export * from './client';
export * from './energy/time';
export * from './energy/hour';
export * from './energy/balance';
export * from './energy/live';
export * from './energy/ranges';
export * from './energy/totals';
export * from './energy/check';
export * from './energy/invoice';
export * from './energy/influx';
export * from './settlement';
export {
  DEMO_ACCOUNT,
  startSimulator,
  type SimAccount,
  type SimFaults,
  type SimMeterPoint,
  type SimStats,
  type SimulatorHandle,
  type SimulatorOptions,
} from './simulator';
