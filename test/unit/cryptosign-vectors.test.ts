import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { generateCryptosignKey, signChallenge, verifyCryptosign } from '../../src/crossbar/cryptosign.js';
import { keyFromSeed } from '../../src/crossbar/private-key.js';
import { isRealmgateError, ErrorCodes } from '../../src/errors.js';

// tweetnacl is what autobahn-js signs with; reach it through autobahn (it is not our direct dependency).
const nacl = createRequire(import.meta.url)('autobahn').nacl as {
  sign: {
    keyPair: { fromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } };
    detached(msg: Uint8Array, secretKey: Uint8Array): Uint8Array;
    detached_verify?: unknown;
  };
};

// RFC 8032 §7.1 test 1: seed, public key, and the signature of the empty message.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

test('a seed yields the RFC 8032 public key', () => {
  assert.equal(keyFromSeed(Buffer.from(RFC_SEED, 'hex')).publicKeyHex, RFC_PUB);
});

test('signature is hex(sig)+hex(challenge), 192 chars, identical to tweetnacl/autobahn', () => {
  const key = keyFromSeed(Buffer.from(RFC_SEED, 'hex'));
  const challenge = 'ab'.repeat(32);
  const sig = signChallenge(key.privateKey, challenge, null);
  assert.equal(sig.length, 192);
  assert.equal(sig.slice(128), challenge);
  const kp = nacl.sign.keyPair.fromSeed(Buffer.from(RFC_SEED, 'hex'));
  const naclSig = Buffer.from(nacl.sign.detached(Buffer.from(challenge, 'hex'), kp.secretKey)).toString('hex');
  // Ed25519 is deterministic: both libraries must produce the same bytes.
  assert.equal(sig.slice(0, 128), naclSig);
  assert.equal(Buffer.from(kp.publicKey).toString('hex'), key.publicKeyHex);
});

test('verifyCryptosign accepts a good signature and refuses tampering', () => {
  const key = generateCryptosignKey();
  const other = generateCryptosignKey();
  const challenge = Buffer.alloc(32, 7).toString('hex');
  const sig = signChallenge(key.privateKey, challenge);
  assert.equal(verifyCryptosign(key.publicKeyHex, challenge, sig), true);
  assert.equal(verifyCryptosign(other.publicKeyHex, challenge, sig), false, 'wrong public key');
  assert.equal(verifyCryptosign(key.publicKeyHex, 'cd'.repeat(32), sig), false, 'different challenge');
  const flipped = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
  assert.equal(verifyCryptosign(key.publicKeyHex, challenge, flipped), false, 'flipped signature bit');
  assert.equal(verifyCryptosign(key.publicKeyHex, challenge, sig.slice(0, 190)), false, 'short');
  assert.equal(verifyCryptosign(key.publicKeyHex, challenge, 42), false, 'not a string');
});

test('malformed challenges and channel binding are refused with AUTH_FAILED', () => {
  const key = generateCryptosignKey();
  for (const bad of ['00', 'zz'.repeat(32), undefined, 5]) {
    assert.throws(() => signChallenge(key.privateKey, bad), (e) => isRealmgateError(e, ErrorCodes.AUTH_FAILED));
  }
  assert.throws(() => signChallenge(key.privateKey, '00'.repeat(32), 'tls-unique'), (e) => isRealmgateError(e, ErrorCodes.AUTH_FAILED));
});
