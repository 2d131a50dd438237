/**
 * Attack 6, connection limit: the gate runs with an open-file limit of 1024 and (when it has the
 * key) `listen.maxConnections` below it; more idle client connections than either are opened, and
 * a few slow-loris clients send their request head one byte every 500 ms. `/health/live` must keep
 * answering within 100 ms (the admin port keeps its own reserve), connections over the limit must
 * get a clear refusal, and the slow heads must be cut by a short head timeout.
 */
import net from 'node:net';
import { sleep } from '../clients.js';
import type { CheckRow } from '../check-row.js';
import { gateKnobs, withKey } from './gate-config.js';
import { attackGate, getText, hostileRow, show, tally } from './harness.js';

export interface ConnectionLimitOptions {
  /** Idle connections opened; default 1100. */
  clients?: number;
  /** The gate's open-file limit; default 2500 (≥ 2 × maxConnections + 1024, as docs/limits.md asks). */
  fdLimit?: number;
  /** `listen.maxConnections` set when the gate has it; default 700. */
  maxConnections?: number;
  /** Slow-loris clients; default 20. */
  slow?: number;
  /** How long slow-loris clients are watched, ms; default 20000. */
  watchMs?: number;
  /** The head timeout set when the gate has such a key (else its default applies). */
  headTimeoutMs?: number;
}

interface Conn { socket: net.Socket; answer: string; openedAt: number; endedAt?: number }

/** A connection that sends `dribble` one byte per `everyMs` (none if empty); records the first answer and when it ended. */
function connect(port: number, dribble = '', everyMs = 500): Promise<Conn> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const c: Conn = { socket, answer: 'open', openedAt: performance.now() };
    let buf = '';
    const end = (what: string): void => {
      if (c.endedAt !== undefined) return;
      c.endedAt = performance.now();
      if (c.answer === 'open') c.answer = what;
      resolve(c);
    };
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m && c.answer === 'open') c.answer = `http:${m[1]}`;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => end(e.code === 'ECONNRESET' ? 'reset' : `error:${e.code ?? '?'}`));
    socket.on('close', () => end('closed'));
    socket.on('connect', () => {
      resolve(c);
      if (!dribble) return;
      void (async () => {
        for (const ch of dribble) {
          if (socket.destroyed || c.endedAt !== undefined) return;
          socket.write(ch);
          await sleep(everyMs);
        }
      })();
    });
  });
}

export async function runConnectionLimit(opts: ConnectionLimitOptions = {}): Promise<CheckRow> {
  const clients = opts.clients ?? 1100;
  const fdLimit = opts.fdLimit ?? 2500;
  const slowN = opts.slow ?? 20;
  const watchMs = opts.watchMs ?? 20_000;
  const knobs = await gateKnobs();
  const limitSupported = knobs.maxConnections !== undefined;
  const maxConnections = opts.maxConnections ?? 700;
  let config: object = {
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: 'http://127.0.0.1:1' }, realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] }, log: { level: 'info' },
  };
  if (knobs.maxConnections) config = withKey(config, knobs.maxConnections.path, maxConnections);
  if (knobs.headTimeout && opts.headTimeoutMs !== undefined) config = withKey(config, knobs.headTimeout.path, opts.headTimeoutMs);
  const a = await attackGate(config, { fdLimit });
  const conns: Conn[] = [];
  try {
    const head = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200);
    const slow = await Promise.all(Array.from({ length: slowN }, () => connect(a.gate.port, head)));
    for (let i = 0; i < clients; i += 250) {
      conns.push(...await Promise.all(Array.from({ length: Math.min(250, clients - i) }, () => connect(a.gate.port))));
    }
    await sleep(1500);
    const early = tally(conns.map((c) => c.answer));
    // Probes while every connection is held: the admin port must answer.
    const probes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await getText(a.gate.adminPort, '/health/live');
      probes.push(r.status === 200 ? Math.round(performance.now() - t0) : -1);
    }
    const t0 = slow[0]?.openedAt ?? performance.now();
    while (performance.now() - t0 < watchMs && slow.some((c) => c.endedAt === undefined)) await sleep(200);
    const slowEnds = slow.map((c) => (c.endedAt === undefined ? 'open' : `${c.answer}`));
    const slowMaxS = Math.max(...slow.map((c) => ((c.endedAt ?? performance.now()) - c.openedAt) / 1000));
    const idleLate = tally(conns.map((c) => c.answer));
    for (const c of [...conns, ...slow]) c.socket.destroy();
    const c = await a.finish();
    const refusedClearly = Object.entries(early).filter(([k]) => k.startsWith('http:')).reduce((n, [, v]) => n + v, 0);
    const over = limitSupported ? Math.max(0, clients - maxConnections) : clients;
    return hostileRow(`connection limit: ${clients} idle connections (open-file limit ${fdLimit}) + ${slowN} slow-loris heads`, c, {
      'gate has listen.maxConnections': limitSupported,
      'connections over the limit refused with an HTTP answer': limitSupported && refusedClearly >= over,
      'admin answered every probe while saturated': probes.every((p) => p >= 0),
      'admin probes < 100 ms while saturated': probes.every((p) => p >= 0 && p < 100),
      [`slow heads cut within ${watchMs / 1000} s`]: slowEnds.every((e) => e !== 'open'),
    }, {
      fdLimit, maxConnections: knobs.maxConnections ? `${knobs.maxConnections.path}=${maxConnections} (default ${knobs.maxConnections.value})` : 'none', headTimeout: knobs.headTimeout ? `${knobs.headTimeout.path}=${opts.headTimeoutMs ?? knobs.headTimeout.ms}` : 'none found',
      idleAfter1500ms: show(early), idleAtEnd: show(idleLate), probesMs: probes.join(' '),
      slowLoris: show(tally(slowEnds)), slowLorisLongestS: slowMaxS.toFixed(1),
    });
  } finally {
    for (const c of conns) c.socket.destroy();
    await a.finish();
  }
}
