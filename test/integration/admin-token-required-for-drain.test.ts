import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminPost } from '../support/admin-post.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

test('with admin.requireToken, /drain and /undrain need the bearer token from admin.tokenFile even on loopback', async (t) => {
  const upstream = await startEchoUpstream(t);
  const file = join(mkdtempSync(join(tmpdir(), 'rg-token-')), 'token');
  const token = 'tok-3c1f0e9a7b5d4c2e';
  writeFileSync(file, `${token}\n`);
  const { adminUrl, logs } = await startGate(t, {
    upstream: { url: upstream.url },
    admin: { host: '127.0.0.1', port: 0, tokenFile: file, requireToken: true },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  const none = await adminPost(adminUrl, '/drain');
  assert.equal(none.status, 401);
  assert.match(String(none.headers['www-authenticate']), /^Bearer/);
  assert.equal((await adminPost(adminUrl, '/drain', { authorization: `Bearer ${token}x` })).status, 401, 'a longer token');
  assert.equal((await adminPost(adminUrl, '/drain', { authorization: `Bearer ${token.slice(0, -1)}` })).status, 401, 'a prefix');
  assert.equal((await adminPost(adminUrl, '/drain', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` })).status, 401, 'Basic');
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 200, 'not drained by any of them');

  assert.equal((await adminPost(adminUrl, '/drain', { authorization: `Bearer ${token}` })).status, 202);
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 503);
  assert.equal((await adminPost(adminUrl, '/undrain')).status, 401, 'undrain needs it too');
  assert.equal((await adminPost(adminUrl, '/undrain', { authorization: `bearer ${token}` })).status, 200);
  assert.equal((await fetch(`${adminUrl}/health/ready`)).status, 200);
  const accepted = logs.filter((l) => /^admin POST/.test(l.msg) && /accepted/.test(l.msg));
  assert.deepEqual(accepted.map((l) => l.by), ['token', 'token'], 'each accepted change is logged with how it was authorized');
  assert.ok(!JSON.stringify(logs).includes(token), 'the token is never logged');
});
