// docs/metrics.md lists exactly the metrics /metrics exposes: a metric registered without a row
// (or a row left for a metric that is gone) fails here, listing each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics.js';

test('every registered metric has a row in docs/metrics.md, and every row is registered', async () => {
  const registry = new Registry();
  createMetrics(registry, { realms: () => [], queueDepth: () => 0, tunnels: () => new Map(), sources: () => [], draining: () => false }, { build: { version: '0.0.0', node: process.version } });
  const registered = (await registry.getMetricsAsJSON()).map((m) => m.name);
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `([a-z0-9_]+)` \| (?:gauge|counter|histogram|summary) \|/gm)].map((m) => m[1]!);
  const undocumented = registered.filter((n) => !documented.includes(n));
  const stale = documented.filter((n) => !registered.includes(n));
  assert.deepEqual({ undocumented, stale }, { undocumented: [], stale: [] },
    'docs/metrics.md is out of step with src/metrics.ts: add a row (type, labels, meaning) per undocumented metric, drop each stale one');
});
