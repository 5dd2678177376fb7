/**
 * `elicznik doctor`: runs the steps every fetch depends on, one by one, against the configured
 * service, and prints what worked, what did not and how long each step took. The output names no
 * secret (no e-mail, PPE, site id, address or cookie), so it can be pasted into a bug report.
 */
import type { ElicznikClient } from '../client/client';
import { isElicznikError } from '../errors';
import { packageVersion } from '../client/version';
import { writeDump, type ExchangeRecorder, type KnownSecrets } from '../diagnostics';
import { redactText } from '../diagnostics/redact';
import { addLocalDays, todayLocal } from '../energy/time';
import type { LoginBudgetReport } from '../session/login-ledger';

/** One step's outcome. */
export interface DoctorStep {
  name: string;
  outcome: 'ok' | 'failed' | 'skipped';
  ms: number;
  /** Counts and codes only, never ids or names. */
  detail: string;
  /** The error a failed step ended with. */
  error?: unknown;
}

/** What the doctor needs besides the client. */
export interface DoctorContext {
  /** `--meter`: site id or PPE number; default the account's first. */
  meter?: string;
  /** `--date`: the day of the data steps; default yesterday in Warsaw. */
  date?: string;
  /** Records the exchanges for dumps. */
  recorder?: ExchangeRecorder;
  /** `--dump DIR`. */
  dumpDir?: string;
  /** The credentials, removed from every line and dump. */
  known: KnownSecrets;
  /** Host names of the service and the login. */
  serviceUrl: string;
  loginUrl: string;
  /** The account's logins (read without logging in). */
  report?: () => Promise<LoginBudgetReport>;
  /** Output lines. */
  print(line: string): void;
  /** The clock (today). */
  now?: () => number;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}

/** Runs the steps; returns them in order (the caller maps the first failure to an exit code). */
export async function runDoctor(client: ElicznikClient, ctx: DoctorContext): Promise<DoctorStep[]> {
  const now = ctx.now ?? Date.now;
  const date = ctx.date ?? addLocalDays(todayLocal(now()), -1);
  const steps: DoctorStep[] = [];
  const print = (line: string) => ctx.print(redactText(line, ctx.known));

  print(`elicznik doctor · package ${packageVersion()} · Node ${process.version}`);
  print(`service ${hostOf(ctx.serviceUrl)} · login ${hostOf(ctx.loginUrl)} · day ${date}`);
  if (ctx.report) {
    try {
      const r = await ctx.report();
      const next = r.nextLoginAt ? `, next login allowed at ${r.nextLoginAt}` : '';
      const kept = r.sessionKept ? ', a kept session will be tried first' : '';
      print(`logins: ${r.used} of ${r.budget} in the last 24 hours${next}${kept}`);
    } catch {
      print('logins: the login ledger could not be read');
    }
  }
  print('');

  let meterPoint: string | undefined = ctx.meter;
  const run = async (name: string, needs: string[], work: () => Promise<string>) => {
    const blocked = needs.find((n) => steps.find((s) => s.name === n)?.outcome !== 'ok');
    if (blocked) {
      steps.push({ name, outcome: 'skipped', ms: 0, detail: `needs "${blocked}"` });
    } else {
      const started = Date.now();
      try {
        const detail = await work();
        steps.push({ name, outcome: 'ok', ms: Date.now() - started, detail });
      } catch (error) {
        const detail = isElicznikError(error)
          ? `[${error.code}] at ${error.step}: ${error.message}${error.excerpt ? ` (answer: ${error.excerpt})` : ''}`
          : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
        steps.push({ name, outcome: 'failed', ms: Date.now() - started, detail, error });
        if (ctx.dumpDir && ctx.recorder) {
          // a folder that cannot be written costs the dump, not the report of this and the next steps
          try {
            const folder = await writeDump(ctx.dumpDir, {
              error,
              exchanges: ctx.recorder.since(started),
              known: ctx.known,
              label: name,
            });
            steps[steps.length - 1].detail += ` · dump: ${folder}`;
          } catch (dumpError) {
            steps[steps.length - 1].detail += ` · no dump: ${(dumpError as Error).message}`;
          }
        }
      }
    }
    const s = steps[steps.length - 1];
    const mark = s.outcome === 'ok' ? 'OK     ' : s.outcome === 'failed' ? 'FAILED ' : 'skipped';
    print(`${mark} ${name.padEnd(22)} ${String(s.ms).padStart(6)} ms  ${s.detail}`);
  };

  await run('login', [], async () => {
    const before = client.getStatus();
    await client.login();
    return before.loggedIn ? 'already logged in' : 'session ready';
  });
  await run('meter points', ['login'], async () => {
    const points = await client.getMeterPoints();
    if (!meterPoint) meterPoint = points[0]?.id;
    const business = points.filter((p) => p.isBusiness).length;
    return `${points.length} meter point(s)${business ? `, ${business} business` : ''}`;
  });
  await run('select meter point', ['meter points'], async () => {
    if (!meterPoint) throw new Error('the account has no meter point');
    const selected = await client.selectMeterPoint(meterPoint);
    return `tariff ${selected.tariff ?? 'not shown'}`;
  });
  const dayDetail = (records: { ecp?: number | null; eco?: number | null }[]) => {
    const withValues = records.filter((r) => r.ecp != null || r.eco != null).length;
    return `${records.length} hours, ${withValues} with values`;
  };
  await run('hourly JSON (1 day)', ['select meter point'], async () =>
    dayDetail(
      await client.getHourly({ meterPoint, from: date, to: date, series: ['ecp', 'eco'], source: 'json' }),
    ),
  );
  await run('hourly CSV (1 day)', ['select meter point'], async () =>
    dayDetail(
      await client.getHourly({ meterPoint, from: date, to: date, series: ['ecp', 'eco'], source: 'csv' }),
    ),
  );
  const failed = steps.filter((s) => s.outcome === 'failed').length;
  print('');
  print(
    failed === 0
      ? 'All steps worked.'
      : `${failed} step(s) failed. Attach this output (it holds no secret) to a report.`,
  );
  return steps;
}
