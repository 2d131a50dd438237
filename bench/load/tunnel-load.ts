/**
 * Tunnel throughput and latency: `conns` clients each keep `inflight` binary
 * messages of `size` bytes in flight against an echo; every reply is timed
 * (process.hrtime) and answered by the next message. Only replies inside the
 * measuring window count; the CPU time of `cpuPids` is read at its edges.
 */
import type WebSocket from 'ws';
import { cpuMicros } from '../lib/procs.js';
import { nowMicros, quantile } from '../lib/stats.js';
import { connect } from './ws-connect.js';

export interface TunnelRequest {
  url: string;
  /** Open as WAMP (subprotocol + HELLO/WELCOME) before the load: the HELLO-peek path. */
  wamp: boolean;
  size: number;
  conns: number;
  inflight: number;
  warmupMs: number;
  windowMs: number;
  /** Processes whose utime+stime is charged to the target (the proxy; none for direct). */
  cpuPids: number[];
}

export interface TunnelResult {
  msgsPerSec: number;
  p50Us: number;
  p99Us: number;
  /** Proxy CPU µs per echoed message (NaN without cpuPids). */
  cpuUsPerMsg: number;
  messages: number;
}

export async function runTunnel(r: TunnelRequest): Promise<TunnelResult> {
  const clients = await Promise.all(Array.from({ length: r.conns }, () => connect(r.url, r.wamp, 'realm1')));
  const payload = Buffer.alloc(r.size, 0x61);
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  let outstanding = 0;
  let drained: (() => void) | undefined;
  const onReply = (sent: number[], ws: WebSocket): void => {
    const t = nowMicros();
    const t0 = sent.shift()!;
    outstanding--;
    if (measuring) latencies.push(t - t0);
    if (!stopping) {
      sent.push(nowMicros());
      outstanding++;
      ws.send(payload, { binary: true });
    } else if (outstanding === 0) drained?.();
  };
  for (const ws of clients) {
    const sent: number[] = [];
    ws.on('error', () => undefined);
    ws.on('message', () => onReply(sent, ws));
    for (let i = 0; i < r.inflight; i++) {
      sent.push(nowMicros());
      outstanding++;
      ws.send(payload, { binary: true });
    }
  }
  await sleep(r.warmupMs);
  measuring = true;
  const cpu0 = cpuMicros(r.cpuPids);
  const t0 = nowMicros();
  await sleep(r.windowMs);
  measuring = false;
  const t1 = nowMicros();
  const cpu1 = cpuMicros(r.cpuPids);
  stopping = true;
  // Let in-flight replies come home (bounded), so the next target starts on a quiet proxy.
  await Promise.race([new Promise<void>((res) => { drained = res; if (outstanding === 0) res(); }), sleep(2000)]);
  for (const ws of clients) ws.terminate();
  const n = latencies.length;
  return {
    msgsPerSec: (n * 1e6) / (t1 - t0),
    p50Us: quantile(latencies, 0.5),
    p99Us: quantile(latencies, 0.99),
    cpuUsPerMsg: r.cpuPids.length > 0 && n > 0 ? (cpu1 - cpu0) / n : NaN,
    messages: n,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
