import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startGate } from '../support/gate.js';
import { metricValue } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('build info: realmgate_build_info{version,node} = 1, the version in /status and in the start line', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl, logs } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.equal(metricValue(metrics, 'realmgate_build_info', { version: pkg.version, node: process.versions.node }), 1);
  const status = (await (await fetch(`${adminUrl}/status`)).json()) as { version: string; node: string };
  assert.equal(status.version, pkg.version);
  assert.equal(status.node, process.versions.node);
  const started = logs.find((l) => l.msg === 'realmgate started');
  assert.equal(started?.version, pkg.version);
});
