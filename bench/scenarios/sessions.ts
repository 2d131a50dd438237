/**
 * Scenario 2 — session establishment: WebSocket handshake + HELLO/WELCOME.
 * Rate with `concurrency` loops; latency with one loop (no queueing), so the
 * added latency of a proxy is its p50 minus direct's p50.
 */
import type { LoadDriver } from '../lib/load-driver.js';
import { median, round } from '../lib/stats.js';

export interface SessionTarget {
  name: string;
  url: string;
  cpuPids: number[];
}

export interface SessionSummary {
  target: string;
  reps: number;
  sessionsPerSec: number;
  /** p50 connect → WELCOME with a single loop, µs. */
  p50Us: number;
  /** p50 minus direct's p50, µs (null for direct). */
  addedP50Us: number | null;
  cpuUsPerSession: number | null;
  failures: number;
}

export async function runSessionScenario(
  load: LoadDriver,
  targets: SessionTarget[],
  opts: { reps: number; concurrency: number; warmupMs: number; windowMs: number; deadline: number; log: (s: string) => void },
): Promise<SessionSummary[]> {
  const rate = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const lat = new Map<string, number[]>();
  const fails = new Map<string, number>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => void m.set(k, [...(m.get(k) ?? []), v]);
  for (let rep = 0; rep < opts.reps && Date.now() < opts.deadline; rep++) {
    // Odd repetitions in reverse order, as in the tunnel scenario: no target always runs first.
    for (const t of rep % 2 === 0 ? targets : [...targets].reverse()) {
      try {
        const r = await load.sessions({ url: t.url, concurrency: opts.concurrency, warmupMs: opts.warmupMs, windowMs: opts.windowMs, cpuPids: t.cpuPids });
        push(rate, t.name, r.sessionsPerSec);
        push(cpu, t.name, r.cpuUsPerSession);
        const one = await load.sessions({ url: t.url, concurrency: 1, warmupMs: 100, windowMs: opts.windowMs / 2, cpuPids: [] });
        push(lat, t.name, one.p50Us);
        fails.set(t.name, (fails.get(t.name) ?? 0) + r.failures + one.failures);
      } catch (err) {
        opts.log(`sessions ${t.name} rep ${rep + 1}: ${(err as Error).message}`);
      }
    }
    opts.log(`sessions: repetition ${rep + 1}/${opts.reps} done`);
  }
  const directP50 = median(lat.get('direct') ?? []);
  return targets.map((t) => {
    const p50 = median(lat.get(t.name) ?? []);
    const c = median(cpu.get(t.name) ?? []);
    return {
      target: t.name,
      reps: (rate.get(t.name) ?? []).length,
      sessionsPerSec: round(median(rate.get(t.name) ?? [])),
      p50Us: round(p50),
      addedP50Us: t.name === 'direct' ? null : round(p50 - directP50),
      cpuUsPerSession: Number.isNaN(c) ? null : round(c, 1),
      failures: fails.get(t.name) ?? 0,
    };
  });
}
