/**
 * Entry point of `@prosument/node-red-elicznik` as a library: the eLicznik client, the energy
 * helpers (Warsaw clock hours, the hour record, totals) and the local eLicznik simulator.
 * The Node-RED nodes live in `nodes/` and are loaded by Node-RED itself.
 */
export * from './client';
export * from './energy/time';
export * from './energy/hour';
export * from './energy/totals';
export * from './simulator';
