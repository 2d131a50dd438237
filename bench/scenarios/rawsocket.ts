/**
 * RawSocket tunnel throughput and latency, beside the WebSocket tunnel, with HAProxy in TCP mode
 * as the reference for a byte pipe. Standalone (bench/run.ts is untouched):
 *
 *   npm run build && node --import tsx bench/scenarios/rawsocket.ts [--quick] [--cases='64B 50x16,...']
 *
 * Targets, interleaved per repetition (medians over repetitions):
 *   rs-direct         RawSocket echo upstream, no proxy
 *   rs-realmgate      realmgate's client port (first octet 0x7F → RawSocket, HELLO read, then raw pipe)
 *   rs-haproxy-tcp    HAProxy 2.6, one thread, `mode tcp`
 *   ws-realmgate-peek the WebSocket HELLO-peek tunnel of the same gate (bench/run.ts's realmgate-peek)
 *   ws-haproxy        HAProxy in http mode for the WebSocket (bench/run.ts's haproxy)
 *
 * Each RawSocket connection opens with the handshake (json) and a HELLO; the upstream answers
 * WELCOME and then echoes every byte. Prints a JSON summary on stdout.
 * `--echo-upstream` runs this file as the RawSocket echo upstream process (prints {"port":N}).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, FrameReader, FrameType } from '../../src/rawsocket/framing.js';
import { LoadDriver } from '../lib/load-driver.js';
import { cpuMicros, processTree, ProcessSet } from '../lib/procs.js';
import { median, nowMicros, quantile, round } from '../lib/stats.js';
import { ensurePackages, freePort, startGate, startUpstream, tsxArgs, waitForPort } from '../lib/targets.js';
import { runTunnelScenario, TUNNEL_CASES, type TunnelCase } from './tunnel.js';

const HELLO = encodeFrame(FrameType.MESSAGE, Buffer.from(JSON.stringify([1, 'realm1', { roles: { caller: {} } }])));
const WELCOME = encodeFrame(FrameType.MESSAGE, Buffer.from(JSON.stringify([2, 1, { roles: { broker: {}, dealer: {} } }])));

/** The upstream: answers the handshake with the client's serializer, HELLO with WELCOME, then echoes bytes. */
function echoUpstream(): void {
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('error', () => s.destroy());
    let buf = Buffer.alloc(0);
    let answered = false;
    const opening = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      // The handshake is answered at once (the gate waits for it before it sends the HELLO).
      if (!answered && buf.length >= 4) {
        answered = true;
        s.write(Buffer.from([0x7f, 0xf0 | (buf[1]! & 15), 0, 0]));
      }
      if (buf.length < 8 || buf.length < 8 + buf.readUIntBE(5, 3)) return;
      const rest = buf.subarray(8 + buf.readUIntBE(5, 3));
      s.off('data', opening);
      s.write(WELCOME);
      if (rest.length > 0) s.write(rest);
      s.on('data', (c: Buffer) => s.write(c));
    };
    s.on('data', opening);
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port })));
  process.on('SIGTERM', () => process.exit(0));
}

interface RsResult { msgsPerSec: number; p50Us: number; p99Us: number; cpuUsPerMsg: number }

/** Opens one RawSocket WAMP connection; resolves after WELCOME with a frame reader attached. */
function open(port: number, onFrame: () => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    s.once('error', reject);
    const reader = new FrameReader(2 ** 24);
    let handshake = true;
    let welcomed = false;
    s.on('connect', () => s.write(Buffer.concat([Buffer.from([0x7f, 0xf1, 0, 0]), HELLO])));
    s.on('data', (chunk: Buffer) => {
      if (handshake) {
        handshake = false;
        chunk = chunk.subarray(4);
      }
      for (const _f of reader.push(chunk)) {
        if (!welcomed) {
          welcomed = true;
          resolve(s);
        } else onFrame();
      }
    });
  });
}

async function runRawSocket(port: number, c: TunnelCase, cpuPids: number[], warmupMs: number, windowMs: number): Promise<RsResult> {
  const frame = encodeFrame(FrameType.MESSAGE, Buffer.alloc(c.size, 0x61));
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  const sockets = await Promise.all(Array.from({ length: c.conns }, async () => {
    const sent: number[] = [];
    const s = await open(port, () => {
      const t = nowMicros();
      const t0 = sent.shift()!;
      if (measuring) latencies.push(t - t0);
      if (!stopping) {
        sent.push(nowMicros());
        s.write(frame);
      }
    });
    return { s, sent };
  }));
  for (const { s, sent } of sockets) {
    for (let i = 0; i < c.inflight; i++) {
      sent.push(nowMicros());
      s.write(frame);
    }
  }
  await sleep(warmupMs);
  measuring = true;
  const cpu0 = cpuMicros(cpuPids);
  const t0 = nowMicros();
  await sleep(windowMs);
  measuring = false;
  const t1 = nowMicros();
  const cpu1 = cpuMicros(cpuPids);
  stopping = true;
  await sleep(100);
  for (const { s } of sockets) s.destroy();
  const n = latencies.length;
  return { msgsPerSec: (n * 1e6) / (t1 - t0), p50Us: quantile(latencies, 0.5), p99Us: quantile(latencies, 0.99), cpuUsPerMsg: cpuPids.length > 0 && n > 0 ? (cpu1 - cpu0) / n : NaN };
}

async function startHaproxy(ps: ProcessSet, name: string, mode: 'tcp' | 'http', upstreamPort: number): Promise<{ port: number; cpuPids: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), `rg-bench-${name}-`));
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, `
global
  nbthread 1
  maxconn 9000
defaults
  mode ${mode}
  timeout connect 5s
  timeout client 3600s
  timeout server 3600s
  timeout tunnel 1h
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server echo 127.0.0.1:${upstreamPort}
`);
  const child = ps.spawn(name, 'haproxy', ['-f', cfg, '-db']);
  await waitForPort(port);
  return { port, cpuPids: processTree(child.pid) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--cases='))?.slice(8).split(',');
  const cases = TUNNEL_CASES.filter((c) => !only || only.includes(c.id));
  const reps = quick ? 2 : 5;
  const warmupMs = quick ? 150 : 200;
  const windowMs = quick ? 500 : 800;
  const log = (s: string): void => console.error(`[rawsocket bench] ${s}`);
  const ps = new ProcessSet();
  try {
    const missing = ensurePackages();
    const rsUp = ps.spawn('rs-echo-upstream', process.execPath, [...tsxArgs('scenarios/rawsocket.ts'), '--echo-upstream']);
    const rsPort = (JSON.parse(await rsUp.waitForLine(/"port"/)) as { port: number }).port;
    log(`RawSocket echo upstream :${rsPort}`);
    const wsUp = await startUpstream(ps);
    const gate = await startGate(ps, 'realmgate', {
      upstream: { url: `http://127.0.0.1:${wsUp.port}`, rawsocketUrl: `tcp://127.0.0.1:${rsPort}` },
      realms: [{ name: 'realm1' }],
      readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    });
    const gatePort = Number(new URL(gate.url).port);
    log(`realmgate :${gatePort}`);
    const rsTargets: { name: string; port: number; cpuPids: number[] }[] = [
      { name: 'rs-direct', port: rsPort, cpuPids: [] },
      { name: 'rs-realmgate', port: gatePort, cpuPids: gate.cpuPids },
    ];
    const wsTargets = [{ name: 'ws-realmgate-peek', url: `${gate.url}/ws`, wamp: true, cpuPids: gate.cpuPids }];
    if (missing.haproxy) log(`skipped haproxy: ${missing.haproxy}`);
    else {
      const tcp = await startHaproxy(ps, 'haproxy-tcp', 'tcp', rsPort);
      rsTargets.push({ name: 'rs-haproxy-tcp', port: tcp.port, cpuPids: tcp.cpuPids });
      const http = await startHaproxy(ps, 'haproxy-http', 'http', wsUp.port);
      wsTargets.push({ name: 'ws-haproxy', url: `ws://127.0.0.1:${http.port}/ws`, wamp: false, cpuPids: http.cpuPids });
    }
    const raw = new Map<string, RsResult[]>();
    for (let rep = 0; rep < reps; rep++) {
      for (const c of cases) {
        for (const t of rsTargets) {
          const r = await runRawSocket(t.port, c, t.cpuPids, warmupMs, windowMs);
          raw.set(`${c.id}|${t.name}`, [...(raw.get(`${c.id}|${t.name}`) ?? []), r]);
        }
      }
      log(`RawSocket repetition ${rep + 1}/${reps} done`);
    }
    const rows = cases.flatMap((c) => rsTargets.map((t) => {
      const rs = raw.get(`${c.id}|${t.name}`) ?? [];
      const cpu = median(rs.map((r) => r.cpuUsPerMsg));
      return { case: c.id, target: t.name, reps: rs.length, msgsPerSec: round(median(rs.map((r) => r.msgsPerSec))),
        p50Us: round(median(rs.map((r) => r.p50Us))), p99Us: round(median(rs.map((r) => r.p99Us))), cpuUsPerMsg: Number.isNaN(cpu) ? null : round(cpu, 1) };
    }));
    const load = await LoadDriver.start(ps);
    const ws = await runTunnelScenario(load, wsTargets, { reps, warmupMs, windowMs, deadline: Date.now() + 240_000, log, cases: cases.map((c) => c.id) });
    const all = [...rows, ...ws.map(({ samples: _s, ...r }) => r)].sort((a, b) => a.case.localeCompare(b.case));
    console.log(JSON.stringify({ date: new Date().toISOString(), quick, rows: all }, null, 2));
    console.error('\ncase          target              msgs/s   p50 µs   p99 µs   proxy CPU µs/msg');
    for (const r of all) {
      console.error(`${r.case.padEnd(13)} ${r.target.padEnd(18)} ${String(r.msgsPerSec).padStart(8)} ${String(r.p50Us).padStart(8)} ${String(r.p99Us).padStart(8)}   ${r.cpuUsPerMsg ?? '-'}`);
    }
  } finally {
    ps.killAll();
  }
}

if (process.argv.includes('--echo-upstream')) echoUpstream();
else await main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
