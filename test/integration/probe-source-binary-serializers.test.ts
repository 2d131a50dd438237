import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, type ProbeSourceConfig } from '../../src/config/schema.js';
import { createProbeSource } from '../../src/readiness/probe-source.js';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { RecordingSink, sourceContext } from '../support/master-fixture.js';

for (const serializer of ['msgpack', 'cbor'] as const) {
  test(`probing with wamp.2.${serializer}: routed realm ready, unrouted not`, async (t) => {
    const proxy = new SimulatedProxyTransport({ workers: 1 });
    t.after(() => proxy.destroy());
    const { url } = await proxy.listen();
    proxy.startRoute('realm1');
    const cfg = configSchema.parse({
      upstream: { url },
      readiness: { sources: [{ type: 'probe', intervalMs: 20, consecutive: 1, serializer }] },
    }).readiness.sources[0] as ProbeSourceConfig;
    const src = createProbeSource(cfg, { ...sourceContext(undefined, () => ['realm1', 'realm2']), upstreamUrl: url });
    t.after(() => src.destroy());
    const sink = new RecordingSink();
    src.start(sink);
    await sink.waitFor((s) => s.ready('realm1'), 'realm1 ready');
    assert.equal(sink.ready('realm2'), false);
    assert.equal((sink.lastDetail.realms as Record<string, { last: string }>).realm2?.last, 'abort wamp.error.no_such_realm');
    await src.close();
  });
}
