/**
 * Message handling of `elicznik-balance` without the runtime: settings, readings and status texts.
 */
import type { NodeMessage, NodeStatus } from 'node-red';
import { BadInputError } from '../../src/errors';
import { messageTime, type BalanceResult } from '../../src/energy/balance';
import type { BalanceCheck } from '../../src/energy/check';
import type { LiveOptions, LiveReading, LiveSignal } from '../../src/energy/live';

/** Settings of the node as the editor saves them. */
export interface BalanceDef {
  mode?: string;
  property?: string;
  output?: string;
  measurement?: string;
  readingKind?: string;
  onThreshold?: string | number;
  offThreshold?: string | number;
  minOn?: string | number;
  minOff?: string | number;
  timeProperty?: string;
  store?: string;
}

export const ECP_TOPIC = /(^|[/_.-])(ecp|import|pobor|pobór|consumption)$/i;
export const ECO_TOPIC = /(^|[/_.-])(eco|export|oddanie|production)$/i;

function num(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').replace(',', '.'));
  return Number.isFinite(n) && String(value ?? '').trim() !== '' ? n : fallback;
}

/** Live settings from the node definition; throws BadInputError for impossible combinations. */
export function liveOptionsOf(def: BalanceDef): LiveOptions {
  const opts: LiveOptions = {
    kind: def.readingKind === 'cumulative' ? 'cumulative' : 'increment',
    onThresholdKwh: num(def.onThreshold, 0.1),
    offThresholdKwh: num(def.offThreshold, 0),
    minOnMs: Math.max(num(def.minOn, 0), 0) * 60_000,
    minOffMs: Math.max(num(def.minOff, 0), 0) * 60_000,
  };
  if (opts.offThresholdKwh > opts.onThresholdKwh) {
    throw new BadInputError(
      `The switch-off threshold (${opts.offThresholdKwh} kWh) is above the switch-on threshold (${opts.onThresholdKwh} kWh)`,
    );
  }
  return opts;
}

function fmt(kwh: number): string {
  return (Math.round(kwh * 100) / 100).toFixed(2);
}

function signed(kwh: number): string {
  return (kwh > 0 ? '+' : '') + fmt(kwh);
}

/** The reading a live message carries: `{ecp, eco}` in the property, or a number with an ecp/eco topic. */
export function readingOf(msg: NodeMessage, value: unknown, at: number): LiveReading {
  if (typeof value === 'number' || typeof value === 'string') {
    const topic = typeof msg.topic === 'string' ? msg.topic : '';
    if (ECP_TOPIC.test(topic)) return { ecp: value, at };
    if (ECO_TOPIC.test(topic)) return { eco: value, at };
    throw new BadInputError(
      `A single number needs msg.topic "ecp" or "eco" to say which direction it is (topic: ${JSON.stringify(topic)})`,
    );
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const pick = (...keys: string[]) => keys.map((k) => v[k]).find((x) => x !== undefined);
    return {
      ecp: pick('ecp', 'ECP', 'Ecp', 'import', 'consumption'),
      eco: pick('eco', 'ECO', 'Eco', 'export', 'production'),
      at,
    };
  }
  throw new BadInputError('Expected {ecp, eco} (kWh) or a number with msg.topic "ecp"/"eco"');
}

/**
 * Time of a live message: the time property (epoch ms or ISO text with its UTC offset), or the
 * arrival time. @throws BadInputError for anything else (see {@link messageTime}).
 */
export function timeOf(value: unknown, arrival: number): number {
  return messageTime(value, 'The time of the reading') ?? arrival;
}

/** Node-RED's `RED._`: a catalog key and its `__name__` parameters to text. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * Green dot with the range's ECBP and ECBO; yellow when hours are missing or when TAURON's
 * balanced series differs from ours in some hours (with the number of those hours).
 */
export function historyStatus(t: Translate, r: BalanceResult, check: BalanceCheck | null = null): NodeStatus {
  const differ = check?.hoursDiffering ?? 0;
  const params = { ecbp: fmt(r.total.ecbp), ecbo: fmt(r.total.ecbo), missing: r.total.missingHours, differ };
  const key = (r.total.missingHours > 0 ? 'partial' : 'done') + (differ > 0 ? 'Differs' : '');
  const fill = key === 'done' ? 'green' : 'yellow';
  return { fill, shape: 'dot', text: t(`elicznik-balance.status.${key}`, params) };
}

/** This hour's net and the surplus state. */
export function liveStatus(t: Translate, s: LiveSignal): NodeStatus {
  const params = { net: signed(s.net), minutes: s.minutesLeft };
  return {
    fill: s.surplus ? 'green' : 'grey',
    shape: s.surplus ? 'dot' : 'ring',
    text: t(s.surplus ? 'elicznik-balance.status.surplus' : 'elicznik-balance.status.noSurplus', params),
  };
}
