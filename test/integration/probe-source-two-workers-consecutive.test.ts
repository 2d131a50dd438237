import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, type ProbeSourceConfig } from '../../src/config/schema.js';
import { createProbeSource } from '../../src/readiness/probe-source.js';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { until } from '../support/wait.js';
import { RecordingSink, sourceContext } from '../support/master-fixture.js';

test('with two workers on one port, one routed worker never flips the probe (consecutive=2); both do', async (t) => {
  const proxy = new SimulatedProxyTransport({ workers: 2 });
  t.after(() => proxy.destroy());
  const { url } = await proxy.listen();
  const cfg = configSchema.parse({
    upstream: { url },
    readiness: { sources: [{ type: 'probe', intervalMs: 10, consecutive: 2 }] },
  }).readiness.sources[0] as ProbeSourceConfig;
  const ctx = { ...sourceContext(undefined, () => ['realm1']), upstreamUrl: url };
  const src = createProbeSource(cfg, ctx);
  t.after(() => src.destroy());
  const sink = new RecordingSink();

  proxy.startRoute('realm1', 0); // worker 0 only: probes alternate welcome / no_such_realm
  src.start(sink);
  await sink.waitFor((s) => s.calls.filter((c) => c.kind === 'snapshot').length >= 8, 'eight probe rounds');
  assert.equal(sink.calls.some((c) => c.kind === 'snapshot' && c.realms.realm1 === true), false, 'never ready with one worker of two');
  const stats = proxy.stats();
  assert.ok(stats.welcomes >= 3 && stats.refusals >= 3, `both workers were seen: ${JSON.stringify(stats)}`);

  proxy.startRoute('realm1', 1);
  await sink.waitFor((s) => s.ready('realm1'), 'ready once both workers route');
  await src.close();
  // Every probe socket was closed, ABORTed ones included (Crossbar leaves those open).
  await until(() => proxy.router.stats().openConnections === 0, 'probe sockets closed', 5000);
});
