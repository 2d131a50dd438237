import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDrainGuard } from '../../src/admin/drain-guard.js';

const TOKEN = 'a-long-admin-token-123';

test('without a token, only a loopback peer with a loopback Host may drain; kubelet (node IP) and pods may not', () => {
  const guard = createDrainGuard({ token: undefined, requireToken: false });
  for (const addr of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) {
    assert.deepEqual(guard({ remoteAddress: addr, headers: { host: '127.0.0.1:9090' } }), { ok: true, by: 'loopback' }, addr);
  }
  assert.equal(guard({ remoteAddress: '::1', headers: { host: '[::1]:9090' } }).ok, true);
  assert.equal(guard({ remoteAddress: '127.0.0.1', headers: { host: 'localhost:9090' } }).ok, true);
  assert.equal(guard({ remoteAddress: '127.0.0.1', headers: {} }).ok, true, 'HTTP/1.0 without Host');
  for (const addr of ['10.0.0.5', '::ffff:10.1.2.3', '192.168.1.1', 'fe80::1', '0.0.0.0', undefined]) {
    const v = guard({ remoteAddress: addr, headers: { host: '10.0.0.9:9090' } });
    assert.equal(v.ok, false, String(addr));
    assert.equal(!v.ok && v.status, 403);
  }
  assert.equal(guard({ remoteAddress: '127.0.0.1', headers: { host: '127.0.0.1.evil.example' } }).ok, false, 'a name, not an address');
});

test('a configured token authorizes from anywhere; a wrong one is refused even on loopback; requireToken closes loopback', () => {
  const guard = createDrainGuard({ token: TOKEN, requireToken: false });
  assert.deepEqual(guard({ remoteAddress: '10.0.0.5', headers: { authorization: `Bearer ${TOKEN}` } }), { ok: true, by: 'token' });
  assert.equal(guard({ remoteAddress: '127.0.0.1', headers: { authorization: 'Bearer wrong' } }).ok, false);
  assert.equal(guard({ remoteAddress: '127.0.0.1', headers: {} }).ok, true);
  const v = guard({ remoteAddress: '10.0.0.5', headers: {} });
  assert.equal(!v.ok && v.status, 401);
  const strict = createDrainGuard({ token: TOKEN, requireToken: true });
  assert.equal(strict({ remoteAddress: '127.0.0.1', headers: {} }).ok, false);
  assert.equal(strict({ remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${TOKEN}` } }).ok, true);
});

test('CSRF rules apply before the token: a cross-site request with the right token is still refused', () => {
  const guard = createDrainGuard({ token: TOKEN, requireToken: false });
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal(guard({ remoteAddress: '10.0.0.5', headers: { ...auth, 'content-type': 'text/plain;charset=UTF-8' } }).ok, false);
  assert.equal(guard({ remoteAddress: '10.0.0.5', headers: { ...auth, origin: 'https://evil.example', host: 'gate:9090' } }).ok, false);
  assert.equal(guard({ remoteAddress: '10.0.0.5', headers: { ...auth, origin: 'http://gate:9090', host: 'gate:9090' } }).ok, true, 'same origin');
  assert.equal(guard({ remoteAddress: '10.0.0.5', headers: { ...auth, 'content-type': 'application/json; charset=utf-8' } }).ok, true);
});
