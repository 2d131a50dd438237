import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange, upgradeRequest } from '../support/raw-http.js';
import { freePort } from '../../reliability/clients.js';

test('an unreachable upstream for 40 clients with attacker-chosen realm names gives two warn lines with counts, no realm name', async (t) => {
  const g = await startGate(t, {
    upstream: { url: `http://127.0.0.1:${await freePort()}` },
    realms: [{ name: 'realm1' }],
    unknownRealm: 'pass',
    defaults: { queueTimeoutMs: 200 },
  });
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => rawExchange(g.port, upgradeRequest(`/ws?realm=evil.${i}.${'x'.repeat(100)}`))));
  for (const a of answers) assert.match(a.text, /^HTTP\/1\.1 503 [^]*X-Realmgate-Reason: upstream_unavailable/);
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  const retries = metricValue(metrics, 'realmgate_upstream_retries_total', { realm: '_unknown' })!;
  assert.ok(retries >= 40);
  g.gate.destroy();
  const lines = g.logs.filter((l) => l.kind === 'upstream_retry');
  assert.equal(lines.length, 2, 'the first at once, then one summary');
  assert.match(lines[0]!.msg, /^upstream refused or reset 1 admitted client\(s\) before answering - retrying$/);
  assert.equal(lines[1]!.count, retries - 1);
  assert.match(lines[1]!.msg, new RegExp(`^upstream refused or reset ${retries - 1} admitted client\\(s\\) before answering in the last 10 s - retrying$`));
  assert.deepEqual(lines[1]!.realms, { _unknown: retries - 1 });
  assert.ok(!g.logs.some((l) => JSON.stringify(l).includes('evil.')), 'no client-chosen realm name in any log line');
});
