/**
 * What every hostile check measures around its attack, the same way: the gate as a real process,
 * its fd count and RSS before, its peak RSS (VmHWM), `/health/live` sampled throughout from a
 * worker thread, and after the attack the fd count (back to baseline?) and whether it crashed.
 * The row's pass is the target — under 60 % of the chart's 512Mi limit, liveness under
 * 100 ms, no crash, nothing left behind — plus the check's own conditions; a failed condition is
 * reported with its numbers, never thrown, so the suite measures an old gate as well as a new one.
 */
import http from 'node:http';
import { crashCount } from '../bad-input.js';
import { row, type CheckRow } from '../check-row.js';
import { sleep } from '../clients.js';
import { fdsSettle, startGateProcess, type GateProcess, type StartOptions } from '../gate-process.js';
import { startLiveSampler, type LiveFigures } from './live-sampler.js';

export const GROUP = 'hostile clients';
/** The chart's default memory limit for the gate container (helm/realmgate/values.yaml), MiB. */
export const CHART_MEMORY_LIMIT_MIB = 512;
/** The target: the gate stays under 60 % of it. */
export const RSS_TARGET_MIB = Math.floor(CHART_MEMORY_LIMIT_MIB * 0.6);
/** `/health/live` must answer within this throughout, ms. */
export const LIVE_TARGET_MS = 100;

/** A gate under attack, with its baseline. */
export interface Attacked {
  gate: GateProcess;
  fdBaseline: number;
  rssBaselineKb: number;
  /** Ends sampling, waits for fds to return, and collects the common figures. Idempotent; kills the gate. */
  finish(opts?: { settleMs?: number }): Promise<Common>;
}

/** The figures every hostile row carries. */
export interface Common {
  peakRssKb: number;
  rssBaselineKb: number;
  rssAfterKb: number;
  fdBaseline: number;
  fdAfter: number;
  live: LiveFigures;
  crashes: number;
}

/** Starts the gate, takes its baseline once it is idle, and starts the liveness sampler. */
export async function attackGate(config: object, opts: StartOptions = {}): Promise<Attacked> {
  // A generous start deadline: on a machine busy with the previous attack a start can take many seconds.
  const gate = await startGateProcess(config, { startTimeoutMs: 60_000, ...opts });
  // One request first: fastify's first answer includes its warm-up, which is not what is measured.
  await gate.admin('/health/live').catch(() => undefined);
  await sleep(300);
  const fdBaseline = gate.fdCount();
  const rssBaselineKb = gate.memory().rssKb;
  const sampler = startLiveSampler(gate.adminPort);
  let finished: Promise<Common> | undefined;
  return {
    gate, fdBaseline, rssBaselineKb,
    finish: (o = {}) => {
      finished ??= (async () => {
        try {
          const live = await sampler.stop();
          const fdAfter = gate.dead() ? -1 : await fdsSettle(gate, fdBaseline, o.settleMs ?? 15_000);
          const { rssKb, peakRssKb } = gate.memory();
          return { peakRssKb, rssBaselineKb, rssAfterKb: rssKb, fdBaseline, fdAfter, live, crashes: crashCount(gate) };
        } finally {
          gate.kill();
        }
      })();
      return finished;
    },
  };
}

/** Several gates started together; if one fails to start, the others are ended and the error thrown. */
export async function attackGates(configs: readonly object[]): Promise<Attacked[]> {
  const settled = await Promise.allSettled(configs.map((c) => attackGate(c)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!failed) return settled.map((s) => (s as PromiseFulfilledResult<Attacked>).value);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.finish() : undefined)));
  throw failed.reason;
}

/** Several gates' common figures as one (worst of each). */
export function worst(cs: readonly Common[]): Common {
  return cs.reduce((a, b) => ({
    peakRssKb: Math.max(a.peakRssKb, b.peakRssKb), rssBaselineKb: Math.max(a.rssBaselineKb, b.rssBaselineKb), rssAfterKb: Math.max(a.rssAfterKb, b.rssAfterKb),
    fdBaseline: a.fdBaseline + b.fdBaseline, fdAfter: a.fdAfter < 0 || b.fdAfter < 0 ? -1 : a.fdAfter + b.fdAfter,
    live: { samples: a.live.samples + b.live.samples, maxMs: Math.max(a.live.maxMs, b.live.maxMs), failures: a.live.failures + b.live.failures, slow: a.live.slow + b.live.slow },
    crashes: a.crashes + b.crashes,
  }));
}

const mib = (kb: number): number => Math.round(kb / 1024);

/** The row: the common targets and figures, then the check's own. */
export function hostileRow(check: string, c: Common, conditions: Record<string, boolean>, figures: CheckRow['figures']): CheckRow {
  return row(GROUP, check, {
    [`peak RSS < ${RSS_TARGET_MIB} MiB (60 % of ${CHART_MEMORY_LIMIT_MIB}Mi)`]: c.peakRssKb > 0 && mib(c.peakRssKb) < RSS_TARGET_MIB,
    [`/health/live < ${LIVE_TARGET_MS} ms throughout`]: c.live.samples > 0 && c.live.failures === 0 && c.live.maxMs < LIVE_TARGET_MS,
    'no crash': c.crashes === 0,
    'fds back to baseline': c.fdAfter >= 0 && c.fdAfter <= c.fdBaseline,
    ...conditions,
  }, {
    ...figures,
    peakRssMiB: mib(c.peakRssKb), rssBeforeMiB: mib(c.rssBaselineKb), rssAfterMiB: mib(c.rssAfterKb),
    fdBefore: c.fdBaseline, fdAfter: c.fdAfter,
    liveMaxMs: c.live.samples > c.live.failures ? c.live.maxMs : 'no answer', liveSamples: c.live.samples, liveSlowerThan100ms: c.live.slow, liveFailures: c.live.failures, crashed: c.crashes > 0,
  });
}

/**
 * Runs `task(i)` for i < n with at most `concurrency` in flight; tasks not started by `deadline`
 * (epoch ms) are skipped. Returns the results of the started ones.
 */
export async function pool<T>(n: number, concurrency: number, deadline: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      out.push(await task(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return out;
}

/** `{kind: count}` of a list, most frequent first, as a compact string for the report. */
export function tally(kinds: readonly string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const k of kinds) m[k] = (m[k] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort((a, b) => b[1] - a[1]));
}

export const show = (t: Record<string, number>): string => Object.entries(t).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

/** GET `path` on 127.0.0.1:`port` without connection reuse (a pooled socket would spoil the fd count); status and body. */
export function getText(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e.message), headers: {} }));
  });
}

/**
 * The row's failed conditions, without those about speed (`… ms`): the `npm test` variants assert
 * behaviour, never wall-clock time on a shared machine.
 */
export function unmetBehaviour(r: CheckRow): string[] {
  const failed = typeof r.figures.failed === 'string' ? r.figures.failed.split('; ') : [];
  return failed.filter((f) => !/\d+ ms\b/.test(f));
}

/**
 * An admin request (default: POST /drain from loopback with no body, what a preStop hook sends);
 * resolves with the status, or the error code when there was no answer.
 */
export function adminRequest(adminPort: number, opts: { path?: string; method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<number | string> {
  const { path = '/drain', method = 'POST', headers = {}, body, from: localAddress } = opts;
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: adminPort, path, method, agent: false, headers, timeout: 3000, ...(localAddress ? { localAddress } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(body);
  });
}
