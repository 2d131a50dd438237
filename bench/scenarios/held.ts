/**
 * Scenario 3 — held connections. A fresh gate per measurement holds N clients
 * of a realm that an `http` readiness source (a control plane in this
 * process) calls not ready; RSS per held connection = (RSS held − RSS idle)/N.
 * Then the control plane's answer flips and the time to the last client's
 * admission (101, or WELCOME for HELLO-peek clients) is measured, pacing off.
 * The same hold and release through the bare Node forwarder (node-pipe-proxy.ts
 * http-held) is the floor: what Node itself costs, without admission.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForStatus } from '../lib/admin.js';
import type { LoadDriver } from '../lib/load-driver.js';
import { cpuMicros, fdLimit, mainThreadCpuMicros, openFds, rssKiB, type ProcessSet } from '../lib/procs.js';
import { median, nowMicros, round } from '../lib/stats.js';
import { startGate, tsxArgs } from '../lib/targets.js';

export type HoldMode = 'upgrade' | 'peek';
/** `node-http-pipe`: the reference without admission (node-pipe-proxy.ts http-held), upgrade-time clients. */
export type HeldTarget = HoldMode | 'node-http-pipe';

export interface HeldSummary {
  mode: HeldTarget;
  held: number;
  reps: number;
  /** (VmRSS held − VmRSS idle) / held, KiB. */
  rssKiBPerConn: number;
  /** From the control plane first answering "ready" to the last admission, ms. */
  releaseMs: number;
  /**
   * From the same start to the admission of 99 % of the clients: without the tail of clients
   * admitted only on a retry after the gate's connects met its fd limit (EMFILE) at 10,000.
   */
  release99Ms: number;
  /** Same, measured from the flip of the answer (includes up to one http poll interval). */
  releaseFromFlipMs: number;
  admitted: number;
  failed: number;
  /**
   * Held clients neither admitted nor refused when the release wait ended (30 s, or 3 s without
   * any client admitted or failing): each admitted
   * client needs two of the gate's file descriptors, so past (fd limit − idle fds) / 2 the rest
   * keep retrying their upstream connect (EMFILE) until their deadline.
   */
  stillWaiting: number;
  gateIdleFds: number;
  /** The gate's open-file limit (soft RLIMIT_NOFILE). */
  gateFdLimit: number;
  /**
   * CPU ms used during the release (flip → last admission, sampled every 25 ms) by the gate, the
   * upstream and the clients.
   */
  releaseCpuMs: { gate: number; upstream: number; clients: number };
  /** Of the gate's (or the pipe's): its main thread (the event loop) alone, ms. */
  gateMainThreadMs: number;
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

/**
 * CPU of the gate, the upstream and the clients from now to the last admission: sampled every
 * 25 ms, so that clients still retrying after it (past the fd limit, until the 30 s wait ends)
 * do not count.
 */
class ReleaseCpu {
  readonly #pids: readonly number[];
  readonly #samples: { at: number; cpu: number[]; main: number }[] = [];
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(pids: readonly number[]) {
    this.#pids = pids;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 25);
  }

  #sample(): void {
    this.#samples.push({ at: nowMicros(), cpu: this.#pids.map((p) => cpuMicros([p])), main: mainThreadCpuMicros(this.#pids[0]!) });
  }

  /** Stops sampling; ms used from the start to the first sample at or after `atUs` (the last one if none). */
  until(atUs: number): { cpu: number[]; gateMainThreadMs: number } {
    clearInterval(this.#timer);
    this.#sample();
    const first = this.#samples[0]!;
    const end = this.#samples.find((x) => x.at >= atUs) ?? this.#samples.at(-1)!;
    return {
      cpu: end.cpu.map((c, i) => Math.round((c - first.cpu[i]!) / 1000)),
      gateMainThreadMs: Math.round((end.main - first.main) / 1000),
    };
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

/** What measureHold() needs of the process that holds the clients. */
interface Holder {
  pid: number;
  url: string;
  /** Clients send a HELLO and are admitted on its WELCOME (HELLO mode). */
  wamp: boolean;
  /** Resolves once `n` clients are held. */
  waitHeld(n: number): Promise<void>;
  /** Makes the realm ready; returns the monotonic µs it was asked at. */
  release(): Promise<number>;
  /** Monotonic µs the release really began (the gate: its source's first "ready" answer). */
  startedAt(askedAt: number): number;
}

/** Holds `n` clients on `h`, reads its RSS held and idle, releases them and times the admissions. */
async function measureHold(mode: HeldTarget, load: LoadDriver, upstreamPid: number, h: Holder, n: number): Promise<Omit<HeldSummary, 'reps'>> {
  await new Promise((r) => setTimeout(r, 300));
  const idle = rssKiB(h.pid);
  const idleFds = openFds(h.pid);
  await load.hold({ url: h.url, n, wamp: h.wamp, batch: 250 });
  await h.waitHeld(n);
  await new Promise((r) => setTimeout(r, 200));
  const held = rssKiB(h.pid);
  const cpuMeter = new ReleaseCpu([h.pid, upstreamPid, load.child.pid]);
  const overflows0 = listenOverflows();
  const askedAt = await h.release();
  const rel = await load.release(30_000, 3000);
  const { cpu, gateMainThreadMs } = cpuMeter.until(rel.lastAdmittedAtUs);
  const startedAt = h.startedAt(askedAt);
  return {
    mode,
    held: n,
    rssKiBPerConn: (held - idle) / n,
    releaseMs: (rel.lastAdmittedAtUs - startedAt) / 1000,
    release99Ms: (rel.admitted99AtUs - startedAt) / 1000,
    releaseFromFlipMs: (rel.lastAdmittedAtUs - askedAt) / 1000,
    admitted: rel.admitted,
    failed: rel.failed,
    stillWaiting: n - rel.admitted - rel.failed,
    gateIdleFds: idleFds,
    gateFdLimit: fdLimit(h.pid),
    releaseCpuMs: { gate: cpu[0]!, upstream: cpu[1]!, clients: cpu[2]! },
    gateMainThreadMs,
    listenOverflows: listenOverflows() - overflows0,
  };
}

/** One hold and release through a fresh gate; `upstreamExtra`: more `upstream` config keys (ab-release.ts). */
export async function holdOnce(ps: ProcessSet, load: LoadDriver, upstream: { port: number; pid: number }, mode: HoldMode, n: number, upstreamExtra: Record<string, unknown> = {}): Promise<Omit<HeldSummary, 'reps'>> {
  const cp = await controlPlane();
  const gate = await startGate(ps, `realmgate-held-${mode}-${n}`, {
    upstream: { url: `http://127.0.0.1:${upstream.port}`, connectTimeoutMs: 30_000, ...upstreamExtra },
    realms: [{ name: 'held', queueTimeoutMs: 600_000, maxQueued: 20_000 }],
    maxQueuedTotal: 20_000,
    realmFrom: ['query', 'hello'],
    hello: { timeoutMs: 600_000 },
    readiness: { sources: [{ type: 'http', url: cp.url, intervalMs: 50 }] },
  });
  try {
    await waitForStatus(gate.adminUrl, (s) => s.sources.every((x) => x.lastSuccess !== null), 10_000);
    return await measureHold(mode, load, upstream.pid, {
      pid: gate.child.pid,
      url: mode === 'upgrade' ? `${gate.url}/ws?realm=held` : `${gate.url}/ws`,
      wamp: mode === 'peek',
      waitHeld: async (count) => { await waitForStatus(gate.adminUrl, (s) => s.queues.total >= count, 60_000, 100); },
      release: async () => cp.flip(),
      startedAt: () => cp.firstReadyAt(),
    }, n);
  } finally {
    await load.closeHeld();
    await gate.child.stop();
    cp.close();
  }
}

/**
 * The same hold and release through the bare Node forwarder: every upgrade waits until
 * `GET /release`, which starts all upstream connects at once. Release time is from that request
 * to the last 101; there is no control-plane poll in it.
 */
export async function holdPipeOnce(ps: ProcessSet, load: LoadDriver, upstream: { port: number; pid: number }, n: number): Promise<Omit<HeldSummary, 'reps'>> {
  const child = ps.spawn(`node-http-pipe-held-${n}`, process.execPath, [...(process.env.RG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), ...tsxArgs('node-pipe-proxy.ts'), String(upstream.port), 'http-held']);
  const base = `127.0.0.1:${(JSON.parse(await child.waitForLine(/"port"/)) as { port: number }).port}`;
  const heldCount = async (): Promise<number> => Number(await (await fetch(`http://${base}/held`)).text());
  try {
    return await measureHold('node-http-pipe', load, upstream.pid, {
      pid: child.pid,
      url: `ws://${base}/ws?realm=held`,
      wamp: false,
      waitHeld: async (count) => {
        for (const until = Date.now() + 60_000; (await heldCount()) < count;) {
          if (Date.now() > until) throw new Error(`node-http-pipe holds fewer than ${count} after 60 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      release: async () => {
        const askedAt = nowMicros();
        await fetch(`http://${base}/release`);
        return askedAt;
      },
      startedAt: (askedAt) => askedAt,
    }, n);
  } finally {
    await load.closeHeld();
    await child.stop();
  }
}

export async function runHeldScenario(
  ps: ProcessSet,
  load: LoadDriver,
  upstream: { port: number; pid: number },
  plan: { mode: HeldTarget; n: number; reps: number }[],
  opts: { deadline: number; log: (s: string) => void },
): Promise<HeldSummary[]> {
  // Repetitions interleaved per size (each round runs every target once, odd rounds in reverse
  // order), so a noisy spell of the shared machine falls on all targets alike.
  const runs = new Map<(typeof plan)[number], Omit<HeldSummary, 'reps'>[]>(plan.map((p) => [p, []]));
  for (const n of new Set(plan.map((p) => p.n))) {
    const group = plan.filter((p) => p.n === n);
    const rounds = Math.max(...group.map((p) => p.reps));
    for (let rep = 0; rep < rounds; rep++) {
      for (const p of rep % 2 === 0 ? group : [...group].reverse()) {
        if (rep >= p.reps || Date.now() >= opts.deadline) continue;
        try {
          runs.get(p)!.push(p.mode === 'node-http-pipe' ? await holdPipeOnce(ps, load, upstream, p.n) : await holdOnce(ps, load, upstream, p.mode, p.n));
        } catch (err) {
          opts.log(`held ${p.mode} ${p.n} rep ${rep + 1}: ${(err as Error).message}`);
        }
      }
    }
  }
  const out: HeldSummary[] = [];
  for (const p of plan) {
    const rs = runs.get(p)!;
    if (rs.length === 0) continue;
    out.push({
      mode: p.mode,
      held: p.n,
      reps: rs.length,
      rssKiBPerConn: round(median(rs.map((r) => r.rssKiBPerConn)), 2),
      releaseMs: round(median(rs.map((r) => r.releaseMs)), 1),
      release99Ms: round(median(rs.map((r) => r.release99Ms)), 1),
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
      gateMainThreadMs: round(median(rs.map((r) => r.gateMainThreadMs))),
      listenOverflows: Math.max(...rs.map((r) => r.listenOverflows)),
    });
    opts.log(`held ${p.mode} ${p.n}: ${JSON.stringify(out.at(-1))}`);
  }
  return out;
}
