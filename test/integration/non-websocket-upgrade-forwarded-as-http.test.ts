import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { rawExchange } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';

test('a request offering another protocol (Upgrade: h2c) is forwarded as plain HTTP without the offer', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });
  const { text, closed } = await rawExchange(port,
    'GET /info?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.ok(closed, 'Connection: close');
  const seen = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/info?x=1');
  assert.equal(seen.headers.upgrade, undefined);
  assert.equal(seen.headers['http2-settings'], undefined);
  assert.equal(seen.headers.connection, 'close');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(upstream.upgrades.length, 0);
});
