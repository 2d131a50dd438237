// Generated RawSocket openings (3,000 by default, 10,000 with RG_RAWSOCKET_FUZZ_INPUTS) against a real gate (in this process, so any uncaught
// error fails the run): random first bytes after 0x7F, valid and broken handshakes, HELLOs for
// ready / held / unknown realms and garbage, random frames, all in random chunks. Afterwards the
// gate must still serve, hold nothing and have nothing open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { encodeFrame } from '../../src/rawsocket/framing.js';
import { encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';
import { startGate } from '../support/gate.js';
import { autobahnRawSocketJoin } from '../support/rawsocket-clients.js';
import { until } from '../support/wait.js';

// 3,000 in `npm test` (CI time on a shared machine); RG_RAWSOCKET_FUZZ_INPUTS=10000 for the full run (24 s alone here).
const INPUTS = Number(process.env.RG_RAWSOCKET_FUZZ_INPUTS ?? 3000);
const CONCURRENCY = 50;
const sps = ['json', 'msgpack', 'cbor'].map((s) => parseSubprotocol(`wamp.2.${s}`)!);

const hello = fc.record({
  sp: fc.integer({ min: 0, max: 2 }),
  msg: fc.oneof(
    fc.constantFrom('realm1', 'realm2', 'other.realm').map((r) => [1, r, { roles: { caller: {} } }]),
    fc.tuple(fc.integer({ min: -1, max: 70 }), fc.oneof(fc.string(), fc.constant(null), fc.integer()), fc.anything()).map((x) => [...x]),
  ),
}).map(({ sp, msg }) => Buffer.concat([Buffer.from([0x7f, 0xf0 | (sp + 1), 0, 0]), encodeFrame(0, encodeMessage(sps[sp]!, msg))]));
const randomFrames = fc.array(fc.record({ type: fc.integer({ min: 0, max: 7 }), payload: fc.uint8Array({ maxLength: 200 }) }), { maxLength: 4 })
  .map((fs) => Buffer.concat(fs.map((f) => encodeFrame(f.type, Buffer.from(f.payload)))));
const opening = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.concat([Buffer.from([0x7f]), Buffer.from(u)])),
  fc.tuple(fc.uint8Array({ minLength: 3, maxLength: 3 }), randomFrames).map(([h, f]) => Buffer.concat([Buffer.from([0x7f]), Buffer.from(h), f])),
  fc.tuple(hello, randomFrames).map(([h, f]) => Buffer.concat([h, f])),
  fc.tuple(hello, fc.uint8Array({ maxLength: 64 })).map(([h, u]) => Buffer.concat([h, Buffer.from(u)])),
);
const input = fc.record({ bytes: opening, cuts: fc.array(fc.nat(), { maxLength: 5 }), hangUp: fc.boolean() });

/** Sends one input; resolves when the gate closed the connection or, for a hang-up, when it is gone. */
function send(port: number, bytes: Buffer, cuts: number[], hangUp: boolean): Promise<'closed'> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => {});
    s.on('data', () => {});
    s.once('close', () => resolve('closed'));
    s.once('connect', () => {
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      let prev = 0;
      for (const c of [...at, bytes.length]) {
        if (c > prev) s.write(bytes.subarray(prev, c));
        prev = c;
      }
      if (hangUp) s.end();
      // Otherwise the gate's own deadlines (HELLO, hold) or refusals end it; a client that got in is ended here.
      else setTimeout(() => s.end(), 400).unref();
    });
  });
}

test(`${INPUTS} generated RawSocket openings: no crash, every session freed, the gate still serves`, async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const upstream = await proxy.listen();
  proxy.startRoute('realm1');
  const { gate, port, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', queueTimeoutMs: 200 }],
    hello: { timeoutMs: 300, maxBytes: 4096 },
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const inputs = fc.sample(input, { numRuns: INPUTS, seed: 15 });
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < inputs.length) {
      const i = inputs[next++]!;
      await send(port, i.bytes, i.cuts, i.hangUp);
    }
  }));
  assert.equal(next, INPUTS);
  await until(() => gate.admission.total === 0 && gate.tunnels.size === 0 && gate.tunnels.connecting === 0, 'every session to be freed', 30_000);
  assert.equal((await fetch(`${adminUrl}/health/live`)).status, 200);
  const ok = await autobahnRawSocketJoin(port, 'realm1');
  assert.equal(ok.kind, 'joined', 'a real client still gets through');
  if (ok.kind === 'joined') ok.close();
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  const outcomes = [...metrics.matchAll(/^realmgate_connections_total\{realm="([^"]+)",outcome="([^"]+)"\} (\d+)/gm)];
  const total = outcomes.reduce((n, m) => n + Number(m[3]), 0);
  t.diagnostic(`outcomes: ${outcomes.map((m) => `${m[1]}/${m[2]} ${m[3]}`).join(', ')}`);
  assert.equal(total, INPUTS + 1, "exactly one outcome per connection (the inputs and the final real client)");
  assert.ok(outcomes.some((m) => m[2] === 'forwarded'), 'some inputs reached a tunnel');
  assert.ok(outcomes.some((m) => m[2] === 'queue_timeout'), 'some were held and refused');
});
