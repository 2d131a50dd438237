/**
 * Scenario 3 — held connections. A fresh gate per measurement holds N clients
 * of a realm that an `http` readiness source (a control plane in this
 * process) calls not ready; RSS per held connection = (RSS held − RSS idle)/N.
 * Then the control plane's answer flips and the time to the last client's
 * admission (101, or WELCOME for HELLO-peek clients) is measured, pacing off.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForStatus } from '../lib/admin.js';
import type { LoadDriver } from '../lib/load-driver.js';
import { cpuMicros, fdLimit, openFds, rssKiB, type ProcessSet } from '../lib/procs.js';
import { median, nowMicros, round } from '../lib/stats.js';
import { startGate } from '../lib/targets.js';

export type HoldMode = 'upgrade' | 'peek';

export interface HeldSummary {
  mode: HoldMode;
  held: number;
  reps: number;
  /** (VmRSS held − VmRSS idle) / held, KiB. */
  rssKiBPerConn: number;
  /** From the control plane first answering "ready" to the last admission, ms. */
  releaseMs: number;
  /** Same, measured from the flip of the answer (includes up to one http poll interval). */
  releaseFromFlipMs: number;
  admitted: number;
  failed: number;
  /**
   * Held clients neither admitted nor refused when the release wait (30 s) ended: each admitted
   * client needs two of the gate's file descriptors, so past (fd limit − idle fds) / 2 the rest
   * keep retrying their upstream connect (EMFILE) until their deadline.
   */
  stillWaiting: number;
  gateIdleFds: number;
  /** The gate's open-file limit (soft RLIMIT_NOFILE). */
  gateFdLimit: number;
  /** CPU ms used during the release (flip → last admission) by the gate, the upstream and the clients. */
  releaseCpuMs: { gate: number; upstream: number; clients: number };
  /**
   * The kernel's TcpExt ListenOverflows during the release (every listener on the machine): each is
   * a connection dropped by a full accept queue, retried by its sender only after 1 s, 3 s, 7 s….
   */
  listenOverflows: number;
}

/** TcpExt ListenOverflows from /proc/net/netstat (0 where it cannot be read). */
function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'latin1').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.trim().split(/\s+/);
    const values = lines[1]!.trim().split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')] ?? 0);
  } catch {
    return 0;
  }
}

/** A control plane whose answer for realm "held" flips once; records when it first said ready. */
async function controlPlane(): Promise<{ url: string; flip(): number; firstReadyAt(): number; close(): void }> {
  let ready = false;
  let firstReadyAt = NaN;
  const server = http.createServer((_req, res) => {
    if (ready && Number.isNaN(firstReadyAt)) firstReadyAt = nowMicros();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ realms: { held: ready } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms`,
    flip: () => { ready = true; return nowMicros(); },
    firstReadyAt: () => firstReadyAt,
    close: () => { server.closeAllConnections(); server.close(); },
  };
}

async function holdOnce(ps: ProcessSet, load: LoadDriver, upstream: { port: number; pid: number }, mode: HoldMode, n: number): Promise<Omit<HeldSummary, 'reps'>> {
  const cp = await controlPlane();
  const gate = await startGate(ps, `realmgate-held-${mode}-${n}`, {
    upstream: { url: `http://127.0.0.1:${upstream.port}`, connectTimeoutMs: 30_000 },
    realms: [{ name: 'held', queueTimeoutMs: 600_000, maxQueued: 20_000 }],
    maxQueuedTotal: 20_000,
    realmFrom: ['query', 'hello'],
    hello: { timeoutMs: 600_000 },
    readiness: { sources: [{ type: 'http', url: cp.url, intervalMs: 50 }] },
  });
  try {
    await waitForStatus(gate.adminUrl, (s) => s.sources.every((x) => x.lastSuccess !== null), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const idle = rssKiB(gate.child.pid);
    const idleFds = openFds(gate.child.pid);
    const url = mode === 'upgrade' ? `${gate.url}/ws?realm=held` : `${gate.url}/ws`;
    await load.hold({ url, n, wamp: mode === 'peek', batch: 250 });
    await waitForStatus(gate.adminUrl, (s) => s.queues.total >= n, 60_000, 100);
    await new Promise((r) => setTimeout(r, 200));
    const held = rssKiB(gate.child.pid);
    const pids = [gate.child.pid, upstream.pid, load.child.pid];
    const cpu0 = pids.map((p) => cpuMicros([p]));
    const overflows0 = listenOverflows();
    const flippedAt = cp.flip();
    const rel = await load.release(30_000);
    const cpu = pids.map((p, i) => Math.round((cpuMicros([p]) - cpu0[i]!) / 1000));
    const overflows = listenOverflows() - overflows0;
    return {
      mode,
      held: n,
      rssKiBPerConn: (held - idle) / n,
      releaseMs: (rel.lastAdmittedAtUs - cp.firstReadyAt()) / 1000,
      releaseFromFlipMs: (rel.lastAdmittedAtUs - flippedAt) / 1000,
      admitted: rel.admitted,
      failed: rel.failed,
      stillWaiting: n - rel.admitted - rel.failed,
      gateIdleFds: idleFds,
      gateFdLimit: fdLimit(gate.child.pid),
      releaseCpuMs: { gate: cpu[0]!, upstream: cpu[1]!, clients: cpu[2]! },
      listenOverflows: overflows,
    };
  } finally {
    await load.closeHeld();
    await gate.child.stop();
    cp.close();
  }
}

export async function runHeldScenario(
  ps: ProcessSet,
  load: LoadDriver,
  upstream: { port: number; pid: number },
  plan: { mode: HoldMode; n: number; reps: number }[],
  opts: { deadline: number; log: (s: string) => void },
): Promise<HeldSummary[]> {
  const out: HeldSummary[] = [];
  for (const p of plan) {
    const rs: Omit<HeldSummary, 'reps'>[] = [];
    for (let rep = 0; rep < p.reps && Date.now() < opts.deadline; rep++) {
      try {
        rs.push(await holdOnce(ps, load, upstream, p.mode, p.n));
      } catch (err) {
        opts.log(`held ${p.mode} ${p.n} rep ${rep + 1}: ${(err as Error).message}`);
      }
    }
    if (rs.length === 0) continue;
    out.push({
      mode: p.mode,
      held: p.n,
      reps: rs.length,
      rssKiBPerConn: round(median(rs.map((r) => r.rssKiBPerConn)), 2),
      releaseMs: round(median(rs.map((r) => r.releaseMs)), 1),
      releaseFromFlipMs: round(median(rs.map((r) => r.releaseFromFlipMs)), 1),
      admitted: Math.min(...rs.map((r) => r.admitted)),
      failed: Math.max(...rs.map((r) => r.failed)),
      stillWaiting: Math.max(...rs.map((r) => r.stillWaiting)),
      gateIdleFds: rs[0]!.gateIdleFds,
      gateFdLimit: rs[0]!.gateFdLimit,
      releaseCpuMs: {
        gate: round(median(rs.map((r) => r.releaseCpuMs.gate))),
        upstream: round(median(rs.map((r) => r.releaseCpuMs.upstream))),
        clients: round(median(rs.map((r) => r.releaseCpuMs.clients))),
      },
      listenOverflows: Math.max(...rs.map((r) => r.listenOverflows)),
    });
    opts.log(`held ${p.mode} ${p.n}: ${JSON.stringify(out.at(-1))}`);
  }
  return out;
}
