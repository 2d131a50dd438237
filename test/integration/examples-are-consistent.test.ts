// examples/compose: the Crossbar node config's proxy transport listens on loopback only, on the
// port, path and realm realmgate's config points at; realmgate accepts its config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main, repoRoot, runTsx } from '../support/cli.js';

const dir = join(repoRoot, 'examples/compose');

interface Transport { type: string; endpoint: { type: string; interface?: string; port?: number }; paths?: Record<string, { type: string }> }
interface Worker { type: string; realms?: { name: string }[]; transports: Transport[] }

test('compose example: Crossbar proxy transport on loopback behind realmgate, configs agree', async () => {
  const node = JSON.parse(readFileSync(join(dir, 'crossbar/config.json'), 'utf8')) as { workers: Worker[] };
  const gate = parse(readFileSync(join(dir, 'realmgate.yaml'), 'utf8')) as {
    upstream: { url: string }; realms: { name: string }[]; readiness: { sources: { type: string; path?: string }[] };
  };
  const compose = parse(readFileSync(join(dir, 'docker-compose.yaml'), 'utf8')) as { services: Record<string, { network_mode?: string; ports?: string[] }> };

  const proxy = node.workers.find((w) => w.type === 'proxy');
  assert.ok(proxy, 'a proxy worker');
  const web = proxy.transports.find((tr) => tr.type === 'web')!;
  assert.equal(web.endpoint.interface, '127.0.0.1', 'the proxy transport listens on loopback only');
  const upstream = new URL(gate.upstream.url);
  assert.equal(upstream.hostname, '127.0.0.1');
  assert.equal(Number(upstream.port), web.endpoint.port, 'realmgate forwards to the proxy transport');
  const probe = gate.readiness.sources.find((s) => s.type === 'probe');
  const wsPath = Object.entries(web.paths ?? {}).find(([, p]) => p.type === 'websocket-proxy')?.[0];
  assert.equal(probe?.path, `/${wsPath}`, 'the probe asks the WebSocket path Crossbar serves');
  const routerRealms = node.workers.filter((w) => w.type === 'router').flatMap((w) => (w.realms ?? []).map((r) => r.name));
  for (const r of gate.realms) assert.ok(routerRealms.includes(r.name), `realm ${r.name} exists on the router`);

  assert.equal(compose.services.realmgate?.network_mode, 'service:crossbar', 'one network namespace, like a pod');
  const published = compose.services.crossbar?.ports ?? [];
  assert.ok(!published.some((p) => p.endsWith(`:${web.endpoint.port}`)), 'the proxy transport is not published');

  const r = await runTsx([main, 'check-config', '--config', join(dir, 'realmgate.yaml')]);
  assert.equal(r.code, 0, r.stderr);
});
