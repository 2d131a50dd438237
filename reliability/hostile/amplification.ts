/**
 * Attack 2, amplification: each client opens a HELLO peek and sends one-byte fragments of a first
 * message that never ends, up to just under the old per-client cap of wire bytes
 * (2 × hello.maxBytes + 1024). A gate that keeps one object per frame pays megabytes per client for
 * ~128 KiB on the wire. Every client is counted by what it got: cut early (1009), refused
 * (503 / 1013), or held until hello.timeoutMs (1008).
 */
import { upgrade, upgradeHead } from '../clients.js';
import { startLocalUpstream } from './upstream.js';
import type { CheckRow } from '../check-row.js';
import { attackGate, hostileRow, show, tally } from './harness.js';
import { answerOf, oneByteFragments } from './wire.js';

export interface AmplificationOptions {
  /** Clients, all at once; default 150. */
  clients?: number;
  /** hello.timeoutMs of the gate; default 5000. */
  helloTimeoutMs?: number;
}

const MAX_BYTES = 65_536;

export async function runAmplification(opts: AmplificationOptions = {}): Promise<CheckRow> {
  const clients = opts.clients ?? 150;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 5000;
  // 7 wire bytes per masked one-byte fragment; stay just under the old cap so it is the gate's memory, not the cap, that answers.
  const fragments = Math.floor((2 * MAX_BYTES + 1024 - 64) / 7);
  const stream = oneByteFragments(fragments);
  const upstream = await startLocalUpstream(['realm1']);
  const a = await attackGate({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url }, realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
    hello: { timeoutMs: helloTimeoutMs, maxBytes: MAX_BYTES }, log: { level: 'info' },
  });
  try {
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: clients }, async () => {
      const u = await upgrade(a.gate.port, upgradeHead('/ws'), undefined, 15_000);
      if (u.status === 101) {
        // 8 KiB writes, so a gate that cuts the client early stops the stream early.
        for (let off = 0; off < stream.length && !u.socket.destroyed; off += 8192) {
          if (!u.socket.write(stream.subarray(off, off + 8192))) await new Promise((r) => { u.socket.once('drain', r); u.socket.once('close', r); });
        }
      }
      const kind = await answerOf(u, helloTimeoutMs + 5000);
      u.socket.destroy();
      return kind;
    }));
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const t = tally(answers);
    const c = await a.finish();
    const heldToTimeout = t['ws-close:1008'] ?? 0;
    return hostileRow(`amplification: ${clients} clients × ${fragments} one-byte fragments (${Math.round(stream.length / 1024)} KiB each)`, c, {
      'every client answered': (t['101+open'] ?? 0) + (t.none ?? 0) + (t.timeout ?? 0) === 0,
      'no client buffered until hello.timeoutMs (cut by real cost)': heldToTimeout === 0,
    }, {
      clients, fragmentsPerClient: fragments, wireKiBPerClient: Math.round(stream.length / 1024), wireMiBTotal: (stream.length * clients / 2 ** 20).toFixed(1),
      helloMaxBytes: MAX_BYTES, helloTimeoutMs, seconds, answers: show(t),
      peakRssPerClientKiB: Math.round((c.peakRssKb - c.rssBaselineKb) / clients),
    });
  } finally {
    await a.finish();
    upstream.stop();
  }
}
