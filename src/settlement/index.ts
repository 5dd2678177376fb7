/**
 * Settlement of household prosumers: the net-metering energy bank, the net-billing deposit and
 * the RCE market prices they are valued with. No Node-RED import; every state is plain JSON.
 */
export * from './errors';
export {
  DEFAULT_ZONE,
  MICRO_PER_GROSZ,
  groszeToPln,
  microToGrosze,
  microToPln,
  settlementHourOf,
  settlementHoursInOrder,
  type SettlementHour,
  type StatementOptions,
} from './hours';
export * from './prices';
export * from './net-metering';
export * from './net-billing';
export * from './rce';
