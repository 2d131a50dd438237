import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

test('POST /drain from a browser page (text/plain, form, foreign Origin, cross-site, rebound Host) is refused; the pod itself may drain', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const host = new URL(adminUrl).host;
  const attempts: [string, Record<string, string>, string | undefined, number][] = [
    ['text/plain body', { 'content-type': 'text/plain' }, 'x', 415],
    ['form body', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415],
    ['multipart body', { 'content-type': 'multipart/form-data; boundary=x' }, '--x--', 415],
    ['foreign Origin', { origin: 'http://evil.example' }, undefined, 403],
    ['opaque Origin', { origin: 'null' }, undefined, 403],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }, undefined, 403],
    ['DNS rebinding: evil.example resolved to 127.0.0.1', { host: `evil.example:${new URL(adminUrl).port}`, origin: `http://evil.example:${new URL(adminUrl).port}` }, undefined, 403],
    ['a bearer token when none is configured', { authorization: 'Bearer 0123456789abcdef0123' }, undefined, 401],
  ];
  for (const [what, headers, body, status] of attempts) {
    const res = await adminPost(adminUrl, '/drain', headers, body);
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.error, 'string', what);
    const undrain = await adminPost(adminUrl, '/undrain', headers, body);
    assert.equal(undrain.status, status, `undrain, ${what}`);
  }
  const ready = await fetch(`${adminUrl}/health/ready`);
  assert.equal(ready.status, 200, 'none of them drained the gate');
  assert.equal(((await ready.json()) as { draining: boolean }).draining, false);

  // What the preStop hook and `realmgate drain` send: no body, or JSON, with the own origin.
  assert.equal((await adminPost(adminUrl, '/drain', { 'content-type': 'application/json', origin: `http://${host}` }, '{}')).status, 202);
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 503);
});
