import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

test('plain HTTP is forwarded with path, query, body and X-Forwarded-For/-Proto/-Host', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { httpUrl, port } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
  const res = await fetch(`${httpUrl}/info/page?x=1`, { method: 'POST', body: 'hello' });
  assert.equal(res.status, 200);
  const seen = (await res.json()) as { method: string; url: string; headers: Record<string, string>; body: string };
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/info/page?x=1');
  assert.equal(seen.body, 'hello');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${port}`);
});
