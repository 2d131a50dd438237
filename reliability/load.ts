/**
 * The load check: `held` clients hold an upgrade for a not-ready realm (realm in the query), `over`
 * more are sent past the queue limit, then the realm turns ready through an http control-plane flip.
 * Every client must end admitted (101 from the upstream) or refused with 503 + Retry-After.
 * The upstream runs in its own process; the clients run here.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateProcess, fdsSettle } from './gate-process.js';
import { crashCount } from './bad-input.js';
import { startUpstreamProcess } from './upstream-process.js';
import { row, type CheckRow } from './check-row.js';

export interface LoadOptions {
  /** Clients held; default 10000. */
  held?: number;
  /** Clients sent past the queue limit (expected: 503 queue_full at once); default 100. */
  over?: number;
  /** The realm's releasePerSecond (0 = all at once); default 2000. */
  releasePerSecond?: number;
  /** Whole-check deadline, ms; default 4 minutes. */
  deadlineMs?: number;
}

export interface LoadResult {
  held: number;
  heldSeen: number;
  over: number;
  admitted: number;
  refusedWithRetry: number;
  /** 502 upstream_error with Retry-After (the upstream connect of an admitted client failed). */
  upstreamErrorWithRetry: number;
  /** Refusal reasons (X-Realmgate-Reason) → count. */
  refusedReasons: Record<string, number>;
  /** Answers that were neither (status → count; `none` = closed without answer, `timeout`). */
  other: Record<string, number>;
  releaseMs: number;
  releasePerSecond: number;
  peakRssKb: number;
  rssHeldKb: number;
  fdBaseline: number;
  fdHeld: number;
  fdAfter: number;
  crashes: number;
  /** Distinct upstream errors the gate logged (why a client got 502), with counts. */
  upstreamErrors: Record<string, number>;
}

interface ClientAnswer { status: number | 'none' | 'timeout'; retryAfter?: string; reason?: string }

/** Opens one raw upgrade and resolves with the first response head (or none/timeout). */
function holdClient(port: number, path: string, deadline: number, opened: () => void): Promise<ClientAnswer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (a: ClientAnswer): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done({ status: 'timeout' }), Math.max(1, deadline - Date.now()));
    sock.on('connect', () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n');
      opened();
    });
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0);
      done({ status, retryAfter: /\r\nretry-after:\s*(\S+)/i.exec(buf)?.[1], reason: /\r\nx-realmgate-reason:\s*(\S+)/i.exec(buf)?.[1] });
    });
    sock.on('error', () => done({ status: 'none' }));
    sock.on('close', () => done({ status: 'none' }));
  });
}

/** Runs the load check end to end (its own upstream, control plane and gate process). */
export async function runLoad(opts: LoadOptions = {}): Promise<LoadResult> {
  const held = opts.held ?? 10_000;
  const over = opts.over ?? 100;
  const releasePerSecond = opts.releasePerSecond ?? 2000;
  const deadline = Date.now() + (opts.deadlineMs ?? 4 * 60_000);
  let ready = false;
  const plane = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ realms: { realm1: ready } }));
  });
  await new Promise<void>((r) => plane.listen(0, '127.0.0.1', r));
  const upstream = await startUpstreamProcess(['realm1']);
  const gate = await startGateProcess({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1', maxQueued: held, queueTimeoutMs: 600_000, releasePerSecond }],
    maxQueuedTotal: held,
    readiness: { sources: [{ type: 'http', url: `http://127.0.0.1:${(plane.address() as AddressInfo).port}/realms`, intervalMs: 200 }] },
    log: { level: 'info' },
  });
  try {
    // The baseline once the http source has polled (its keep-alive connection is part of it).
    await new Promise((r) => setTimeout(r, 1000));
    const fdBaseline = gate.fdCount();
    const answers: Promise<ClientAnswer>[] = [];
    // Connects are paced in waves so the listen backlog (somaxconn) is never the limit being measured.
    const WAVE = 500;
    for (let i = 0; i < held; i += WAVE) {
      const wave: Promise<void>[] = [];
      for (let j = i; j < Math.min(held, i + WAVE); j++) {
        wave.push(new Promise<void>((opened) => answers.push(holdClient(gate.port, '/ws?realm=realm1', deadline, opened))));
      }
      await Promise.race([Promise.all(wave), new Promise((r) => setTimeout(r, 30_000))]);
    }
    const heldSeen = await waitHeld(gate, held, deadline);
    const overAnswers = await Promise.all(Array.from({ length: over }, () => holdClient(gate.port, '/ws?realm=realm1', deadline, () => {})));
    const fdHeld = gate.fdCount();
    const rssHeldKb = gate.memory().rssKb;
    ready = true;
    const t0 = performance.now();
    const heldAnswers = await Promise.all(answers);
    const releaseMs = Math.round(performance.now() - t0);
    const result: LoadResult = {
      held, heldSeen, over, admitted: 0, refusedWithRetry: 0, upstreamErrorWithRetry: 0, refusedReasons: {}, other: {}, releaseMs, releasePerSecond,
      peakRssKb: gate.memory().peakRssKb, rssHeldKb, fdBaseline, fdHeld, fdAfter: 0, crashes: 0, upstreamErrors: {},
    };
    for (const a of [...heldAnswers, ...overAnswers]) {
      if (a.status === 101) result.admitted++;
      else if (a.status === 503 && a.retryAfter !== undefined) {
        result.refusedWithRetry++;
        result.refusedReasons[a.reason ?? '?'] = (result.refusedReasons[a.reason ?? '?'] ?? 0) + 1;
      } else if (a.status === 502 && a.retryAfter !== undefined) result.upstreamErrorWithRetry++;
      else result.other[String(a.status)] = (result.other[String(a.status)] ?? 0) + 1;
    }
    result.fdAfter = await fdsSettle(gate, fdBaseline, 30_000);
    result.crashes = crashCount(gate);
    for (const l of gate.stdout) {
      if (!l.includes('upstream unreachable')) continue;
      const err = String((JSON.parse(l) as { err?: unknown }).err);
      result.upstreamErrors[err] = (result.upstreamErrors[err] ?? 0) + 1;
    }
    return result;
  } finally {
    gate.kill();
    upstream.stop();
    plane.closeAllConnections();
    plane.close();
  }
}

async function waitHeld(gate: Awaited<ReturnType<typeof startGateProcess>>, n: number, deadline: number): Promise<number> {
  let seen = 0;
  while (Date.now() < deadline) {
    seen = (await gate.admin<{ queues: { total: number } }>('/status')).queues.total;
    if (seen >= n) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
  return seen;
}

/**
 * The report row. Paced release: every client must be admitted or refused 503 + Retry-After.
 * `allAtOnce`: the same load released in one burst, which can exceed the upstream's accept backlog
 * and the gate's open-file limit; a 502 + Retry-After for those clients is then also accepted.
 */
export function loadRow(r: LoadResult, allAtOnce = false): CheckRow {
  const total = r.held + r.over;
  const conditions: Record<string, boolean> = {
    [`${r.held} held`]: r.heldSeen === r.held, 'no crash': r.crashes === 0, 'fds back to baseline': r.fdAfter <= r.fdBaseline,
    ...(allAtOnce
      ? { 'every client admitted, or 503/502 + Retry-After': r.admitted + r.refusedWithRetry + r.upstreamErrorWithRetry === total }
      : { 'every client admitted or 503 + Retry-After': r.admitted + r.refusedWithRetry === total }),
  };
  const name = allAtOnce ? `${r.held} held, released all at once (releasePerSecond 0)` : `${r.held} held, released at ${r.releasePerSecond}/s`;
  return row('load', name, conditions, {
    clients: total, heldSeen: r.heldSeen, admitted: r.admitted, refused503WithRetryAfter: r.refusedWithRetry,
    refusedReasons: JSON.stringify(r.refusedReasons), upstreamError502WithRetryAfter: r.upstreamErrorWithRetry, other: JSON.stringify(r.other),
    ...(Object.keys(r.upstreamErrors).length > 0 ? { upstreamErrors: JSON.stringify(r.upstreamErrors) } : {}),
    releaseSeconds: (r.releaseMs / 1000).toFixed(1), peakRssMiB: (r.peakRssKb / 1024).toFixed(0), rssWhileHeldMiB: (r.rssHeldKb / 1024).toFixed(0),
    fdBaseline: r.fdBaseline, fdWhileHeld: r.fdHeld, fdAfter: r.fdAfter,
  });
}
