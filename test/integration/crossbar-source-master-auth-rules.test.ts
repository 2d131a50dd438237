import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { generateCryptosignKey, signChallenge } from '../../src/crossbar/cryptosign.js';
import { startMaster } from '../support/master-fixture.js';

/** Raw HELLO → first reply (and, for CHALLENGE, the reply to our AUTHENTICATE). */
async function handshake(url: string, realm: string | null, details: Record<string, unknown>, sign?: (challenge: string) => string): Promise<unknown[][]> {
  const ws = new WebSocket(url, ['wamp.2.json']);
  const got: unknown[][] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify([1, realm, { roles: { caller: {} }, ...details }])));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as unknown[];
        got.push(msg);
        if (msg[0] === 4 && sign) ws.send(JSON.stringify([5, sign((msg[2] as { challenge: string }).challenge), {}]));
        else resolve();
      });
    });
  } finally {
    ws.terminate();
  }
  return got;
}

test('the simulated master authenticates as the real one: cryptosign only, valid signature, owner role', async (t) => {
  const { key, url } = await startMaster(t);
  const base = { authmethods: ['cryptosign'], authid: 'realmgate', authextra: { pubkey: key.publicKeyHex } };
  const reason = (msgs: unknown[][]) => (msgs.at(-1) as unknown[])[msgs.at(-1)?.[0] === 3 ? 2 : 0];

  // Correct key: CHALLENGE with 32 random bytes, then WELCOME as superuser/owner.
  const ok = await handshake(url, 'default', { ...base, authrole: 'owner' }, (c) => signChallenge(key.privateKey, c));
  assert.equal(ok[0]?.[0], 4);
  assert.match(String((ok[0]?.[2] as { challenge: string }).challenge), /^[0-9a-f]{64}$/);
  assert.equal(ok[1]?.[0], 2);
  assert.deepEqual([(ok[1]?.[2] as { authid: string }).authid, (ok[1]?.[2] as { authrole: string }).authrole], ['superuser', 'owner']);

  // The pubkey of a known key, signed by another key: refused after AUTHENTICATE.
  const other = generateCryptosignKey();
  assert.equal(reason(await handshake(url, 'default', base, (c) => signChallenge(other.privateKey, c))), 'wamp.error.not_authorized');
  // Unknown pubkey, other authmethods, missing pubkey, null authid, unknown realm, roles not started.
  assert.equal(reason(await handshake(url, 'default', { ...base, authextra: { pubkey: other.publicKeyHex } })), 'wamp.error.not_authorized');
  assert.equal(reason(await handshake(url, 'default', { authmethods: ['anonymous'] })), 'fabric.auth-failed.invalid-parameters');
  assert.equal(reason(await handshake(url, 'default', { ...base, authextra: {} })), 'fabric.auth-failed.invalid-parameters');
  assert.equal(reason(await handshake(url, 'default', { ...base, authid: undefined })), 'wamp.error.authentication_failed');
  assert.equal(reason(await handshake(url, 'realm1', base)), 'wamp.error.no_such_realm');
  assert.equal(reason(await handshake(url, 'default', { ...base, authrole: 'admin' })), 'wamp.error.no_such_role');
  assert.equal(reason(await handshake(url, 'default', { ...base, authrole: 'node' })), 'fabric.auth-failed.invalid-parameters');
});
