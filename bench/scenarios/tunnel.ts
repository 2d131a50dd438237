/**
 * Scenario 1 — admitted-tunnel throughput and latency. Every repetition runs
 * every case against every target in turn (interleaved), so slow drift of a
 * shared machine hits all targets alike; the report takes medians over reps.
 */
import type { LoadDriver } from '../lib/load-driver.js';
import { median, round } from '../lib/stats.js';
import type { TunnelResult } from '../load/tunnel-load.js';

export interface TunnelTarget {
  name: string;
  /** Full ws:// URL the clients open. */
  url: string;
  wamp: boolean;
  cpuPids: number[];
}

export interface TunnelCase {
  id: string;
  size: number;
  conns: number;
  inflight: number;
}

/** The four cases of the issue: 64 B and 16 KiB, 1 connection ping-pong and 50 × 16 in flight. */
export const TUNNEL_CASES: TunnelCase[] = [
  { id: '64B 1x1', size: 64, conns: 1, inflight: 1 },
  { id: '64B 50x16', size: 64, conns: 50, inflight: 16 },
  { id: '16KiB 1x1', size: 16 * 1024, conns: 1, inflight: 1 },
  { id: '16KiB 50x16', size: 16 * 1024, conns: 50, inflight: 16 },
];

export interface TunnelSummary {
  case: string;
  target: string;
  reps: number;
  msgsPerSec: number;
  p50Us: number;
  p99Us: number;
  cpuUsPerMsg: number | null;
  /** Every repetition's msgs/s, for judging spread. */
  samples: number[];
}

export async function runTunnelScenario(
  load: LoadDriver,
  targets: TunnelTarget[],
  opts: { reps: number; warmupMs: number; windowMs: number; deadline: number; log: (s: string) => void; cases?: string[] },
): Promise<TunnelSummary[]> {
  const raw = new Map<string, TunnelResult[]>();
  const cases = TUNNEL_CASES.filter((c) => !opts.cases || opts.cases.includes(c.id));
  for (let rep = 0; rep < opts.reps && Date.now() < opts.deadline; rep++) {
    // Odd repetitions run the targets in reverse, so no target is always the first to load a proxy.
    // realmgate and realmgate-peek share one gate and, once admitted, the same pipe (pipe.ts): with
    // a fixed order realmgate always ran first (on a cold JIT in repetition 1) and was 8 % dearer per
    // 64 B message in the table, while gc-probe.ts measures both at the same CPU per message.
    const order = rep % 2 === 0 ? targets : [...targets].reverse();
    for (const c of cases) {
      for (const t of order) {
        const key = `${c.id}|${t.name}`;
        try {
          const r = await load.tunnel({ url: t.url, wamp: t.wamp, size: c.size, conns: c.conns, inflight: c.inflight, warmupMs: opts.warmupMs, windowMs: opts.windowMs, cpuPids: t.cpuPids });
          raw.set(key, [...(raw.get(key) ?? []), r]);
        } catch (err) {
          opts.log(`tunnel ${key} rep ${rep + 1}: ${(err as Error).message}`);
        }
      }
    }
    opts.log(`tunnel: repetition ${rep + 1}/${opts.reps} done`);
  }
  const out: TunnelSummary[] = [];
  for (const c of cases) {
    for (const t of targets) {
      const rs = raw.get(`${c.id}|${t.name}`) ?? [];
      const cpu = median(rs.map((r) => r.cpuUsPerMsg));
      out.push({
        case: c.id,
        target: t.name,
        reps: rs.length,
        msgsPerSec: round(median(rs.map((r) => r.msgsPerSec))),
        p50Us: round(median(rs.map((r) => r.p50Us))),
        p99Us: round(median(rs.map((r) => r.p99Us))),
        cpuUsPerMsg: Number.isNaN(cpu) ? null : round(cpu, 1),
        samples: rs.map((r) => round(r.msgsPerSec)),
      });
    }
  }
  return out;
}
