import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, type ProbeSourceConfig } from '../../src/config/schema.js';
import { createProbeSource } from '../../src/readiness/probe-source.js';
import { startFoxRouter } from '../support/fox-router.js';
import { RecordingSink, sourceContext } from '../support/master-fixture.js';

function probeConfig(over: Record<string, unknown>): ProbeSourceConfig {
  const cfg = configSchema.parse({ upstream: { url: 'http://127.0.0.1:1' }, readiness: { sources: [{ type: 'probe', ...over }] } });
  return cfg.readiness.sources[0] as ProbeSourceConfig;
}

// fox-wamp speaks wamp.2.json only; the binary serializers are probed against the simulated proxy.
for (const serializer of ['json'] as const) {
  test(`against a real router (fox-wamp, ${serializer}): served realm ready, unknown realm not`, async (t) => {
    const fox = await startFoxRouter({ realms: ['realm1'] });
    t.after(() => fox.close());
    const src = createProbeSource(probeConfig({ url: fox.url, intervalMs: 20, consecutive: 2, serializer }), sourceContext(undefined, () => ['realm1', 'realm2']));
    t.after(() => src.destroy());
    const sink = new RecordingSink();
    src.start(sink);

    await sink.waitFor((s) => s.ready('realm1'), 'realm1 ready');
    assert.equal(sink.ready('realm2'), false);
    const detail = sink.lastDetail.realms as Record<string, { last: string }>;
    assert.equal(detail.realm1?.last, 'welcome');
    assert.equal(detail.realm2?.last, 'abort wamp.error.no_such_realm');
    // The first snapshot reported realm2 not ready at once and realm1 not yet ready (streak of 1).
    const first = sink.calls.find((c) => c.kind === 'snapshot');
    assert.deepEqual(first?.kind === 'snapshot' && first.realms, { realm1: false, realm2: false });
    await src.close();
  });
}
