import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { metricValue, rawExchange } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';

// Defect found by the reliability suite's bad-input check: node's http server drops a CONNECT
// request without any answer when nothing listens for 'connect'; the gate now answers 405.
test('a CONNECT request is answered 405 and the connection closed, not dropped silently', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  for (const input of ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 'CONNECT  HTTP/0.9\r\nX: 1\r\nContent-Length: 6\r\n\r\nVu_h5N']) {
    const { text, closed } = await rawExchange(port, input);
    assert.match(text, /^HTTP\/1\.1 (405 Method Not Allowed|400 Bad Request)/, JSON.stringify(input));
    assert.ok(closed);
  }
  const first = await rawExchange(port, 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n');
  assert.match(first.text, /^HTTP\/1\.1 405 [^]*"error":"bad_request"/);
  assert.equal(upstream.requests.length, 0, 'nothing reaches the upstream');
  const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
  assert.ok((metricValue(metrics, 'realmgate_connections_total', { realm: '_unknown', outcome: 'bad_request' }) ?? 0) >= 2);
});
