import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { rawExchange } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';

// Defect found by the reliability suite's bad-input check: a request with the method PRI (parsed
// as HTTP/0.9 when it has no version) or an asterisk-form target was handed to the HTTP forward,
// which dropped the connection without any answer. The gate now answers 400 itself.
test('PRI requests and asterisk-form targets are answered 400, not dropped', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  for (const input of ['PRI *\r\nContent-Length: 0\r\n\r\n', 'PRI /status\r\nContent-Length: 1\r\n\r\n3', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n']) {
    const { text, closed } = await rawExchange(port, input);
    assert.match(text, /^HTTP\/1\.1 400 [^]*cannot be forwarded/, JSON.stringify(input));
    assert.ok(closed);
  }
  const ok = await rawExchange(port, 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(ok.text, /^HTTP\/1\.1 200 /, 'origin-form requests are still forwarded');
  assert.equal(upstream.requests.length, 1);
});
