// needs: promtool
// /metrics of a live gate process, scraped at once after start and again after traffic, passes
// `promtool check metrics`; process metrics carry their usual unprefixed names and a scrape with
// no event-loop sample yet has no empty-histogram nonsense (min 9223372036.85 s, NaN mean).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateProcess } from '../support/gate-process.js';
import { promtool } from '../support/promtool.js';
import { metricValue } from '../support/raw-http.js';
import { connectWs } from '../support/ws-client.js';
import { startEchoUpstream } from '../support/upstream.js';

test('/metrics passes promtool check metrics, first scrape included; process metrics unprefixed and sane', async (t) => {
  const upstream = await startEchoUpstream(t);
  const gate = await startGateProcess(t, {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    defaults: { queueTimeoutMs: 50 },
    realms: [{ name: 'realm1' }, { name: 'realm2', onNotReady: 'reject', maxQueued: 7 }],
    readiness: { sources: [{ type: 'static', ready: [] }] },
    shutdown: { delayMs: 0, drainTimeoutMs: 100 },
  });
  const scrape = async () => (await fetch(`http://127.0.0.1:${gate.adminPort}/metrics`)).text();

  // Two scrapes at once: the second finds the event-loop histogram just reset, with no sample.
  const [first, second] = await Promise.all([scrape(), scrape()]);
  const firstCheck = await promtool(['check', 'metrics'], first);
  assert.equal((await promtool(['check', 'metrics'], second)).code, 0, 'promtool on the back-to-back scrape');
  assert.equal(firstCheck.code, 0, `promtool on the first scrape:\n${firstCheck.out}`);
  assert.doesNotMatch(first, /^realmgate_(process|nodejs)_/m, 'process metrics are not prefixed');
  assert.doesNotMatch(first, /^nodejs_active_\w+_total /m, 'no gauge named like a counter');
  assert.match(first, /^process_cpu_seconds_total /m);
  assert.match(first, /^nodejs_eventloop_lag_seconds /m);
  for (const line of [...first.split('\n'), ...second.split('\n')].filter((l) => l.startsWith('nodejs_eventloop_lag_'))) {
    const value = Number(line.split(' ').pop());
    assert.ok(Number.isFinite(value) && value >= 0 && value < 60, `sane on the first scrape: ${line}`);
  }

  // Traffic: a refusal, a queue timeout (a wait histogram with its outcome), a capacity gauge.
  assert.equal((await connectWs(`ws://127.0.0.1:${gate.port}/?realm=realm2`)).status, 503);
  assert.equal((await connectWs(`ws://127.0.0.1:${gate.port}/?realm=realm1`)).status, 503);
  const later = await scrape();
  const laterCheck = await promtool(['check', 'metrics'], later);
  assert.equal(laterCheck.code, 0, `promtool after traffic:\n${laterCheck.out}`);
  t.diagnostic(`promtool check metrics: exit ${laterCheck.code}${laterCheck.out.trim() ? `, ${laterCheck.out.trim()}` : ', no findings'}`);
  assert.equal(metricValue(later, 'realmgate_connections_total', { realm: 'realm2', outcome: 'rejected_not_ready' }), 1);
  assert.equal(metricValue(later, 'realmgate_queue_wait_seconds_count', { realm: 'realm1', outcome: 'queue_timeout' }), 1);
  assert.equal(metricValue(later, 'realmgate_queue_capacity', { realm: 'realm2' }), 7);
  assert.equal(metricValue(later, 'realmgate_queue_capacity', { realm: 'realm1' }), 1000);
});
