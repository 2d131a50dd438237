import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { configSchema, type ProbeSourceConfig } from '../../src/config/schema.js';
import { createProbeSource } from '../../src/readiness/probe-source.js';
import { RecordingSink, sourceContext } from '../support/master-fixture.js';

test('an upstream that refuses connections or never answers HELLO means not ready', async (t) => {
  // A port with nothing listening: bind, note it, close.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  // A server that accepts TCP and says nothing.
  const silent = net.createServer((s) => s.on('error', () => undefined));
  t.after(() => silent.close());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentPort = (silent.address() as net.AddressInfo).port;

  for (const [port, reason] of [[deadPort, /connect failed/], [silentPort, /timeout/]] as const) {
    const cfg = configSchema.parse({
      upstream: { url: `http://127.0.0.1:${port}` },
      readiness: { sources: [{ type: 'probe', intervalMs: 20, timeoutMs: 200, consecutive: 1 }] },
    }).readiness.sources[0] as ProbeSourceConfig;
    const src = createProbeSource(cfg, { ...sourceContext(undefined, () => ['realm1']), upstreamUrl: `http://127.0.0.1:${port}` });
    t.after(() => src.destroy());
    const sink = new RecordingSink();
    src.start(sink);
    await sink.waitFor((s) => s.calls.some((c) => c.kind === 'snapshot'), 'a probe round');
    assert.deepEqual(sink.state, { realm1: false });
    assert.equal(sink.up, true, 'the probe itself works: it observed "not ready"');
    assert.match(String((sink.lastDetail.realms as Record<string, { last: string }>).realm1?.last), reason);
    await src.close();
  }
});
