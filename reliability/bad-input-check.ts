/** The bad-input check end to end (its own upstream and gate processes), and its report rows. */
import { fuzzGateConfig, runBadInput, type BadInputOptions, type BadInputResult } from './bad-input.js';
import { row, type CheckRow } from './check-row.js';
import { startGateProcess } from './gate-process.js';
import { startUpstreamProcess } from './upstream-process.js';

const WHAT: Record<string, string> = {
  http: 'raw HTTP requests',
  upgrade: 'upgrade headers (mutated Upgrade/Connection/Sec-WebSocket-*, realm hints)',
  frames: 'WebSocket frames after a HELLO-peek handshake',
  hello: 'HELLO payloads (json, msgpack, cbor, batched)',
};

/** Starts an upstream (simulated proxy transport with a route for realm1) and a gate, fuzzes, stops both. */
export async function runBadInputCheck(opts: BadInputOptions): Promise<BadInputResult & { requested: number }> {
  const upstream = await startUpstreamProcess(['realm1']);
  const gate = await startGateProcess(fuzzGateConfig(upstream.url));
  try {
    await new Promise((r) => setTimeout(r, 300));
    return { ...(await runBadInput(gate, opts)), requested: opts.perClass * 4 };
  } finally {
    gate.kill();
    upstream.stop();
  }
}

/** One row per input class, then one for the whole run (crashes, fds, memory). */
export function badInputRows(r: BadInputResult & { requested: number }): CheckRow[] {
  const rows = r.classes.map((c) =>
    row('bad input', WHAT[c.kind] ?? c.kind, { 'every answer allowed': c.disallowed === 0 }, {
      inputs: c.sent,
      answers: Object.entries(c.answers).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '),
      disallowed: c.disallowed,
      ...(c.examples.length > 0 ? { examples: c.examples.map((e) => `${e.kind} ← ${e.input}`).join(' ; ') } : {}),
    }));
  rows.push(row('bad input', 'whole run: process, fds, memory', {
    [`all ${r.requested} inputs sent`]: r.sent >= r.requested && !r.truncated, 'no crash': r.crashes === 0, 'fds back to baseline': r.fdAfter <= r.fdBefore,
  }, { inputs: r.sent, crashes: r.crashes, fdBefore: r.fdBefore, fdAfter: r.fdAfter, peakRssMiB: (r.peakRssKb / 1024).toFixed(0),
    seconds: (r.durationMs / 1000).toFixed(0), inputsPerSecond: Math.round(r.sent / (r.durationMs / 1000)), concurrency: 50, seed: r.seed }));
  return rows;
}
