// `realmgate keygen` writes a Crossbar-format key pair that the gate loads and signs with, prints
// the public key and what to do on the master, and never overwrites without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivateKey } from '../../src/crossbar/private-key.js';
import { signChallenge, verifyCryptosign } from '../../src/crossbar/cryptosign.js';
import { main, runTsx } from '../support/cli.js';


test('keygen writes a Crossbar .priv/.pub pair that loads and signs; it never overwrites without --force', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-keygen-'));
  const r = await runTsx([main, 'keygen', '--out', join(dir, 'gate')]);
  assert.equal(r.code, 0, r.stderr);
  const priv = readFileSync(join(dir, 'gate.priv'), 'utf8');
  const pub = readFileSync(join(dir, 'gate.pub'), 'utf8');
  assert.equal(statSync(join(dir, 'gate.priv')).mode & 0o777, 0o600, 'the private key is readable by its owner only');
  const pubHex = /^public-key-ed25519: ([0-9a-f]{64})$/m.exec(pub)?.[1];
  assert.ok(pubHex, pub);
  assert.doesNotMatch(pub, /private-key/, 'the .pub holds no secret');
  assert.match(priv, /^private-key-ed25519: [0-9a-f]{64}$/m);
  assert.match(r.stdout, new RegExp(`public key: ${pubHex}`));
  assert.match(r.stdout, /CROSSBAR_FABRIC_SUPERUSER=/);
  assert.match(r.stdout, /role owner/);
  assert.doesNotMatch(r.stdout, new RegExp(/^private-key-ed25519: (\w+)$/m.exec(priv)![1]!), 'the secret is not printed');

  const key = loadPrivateKey({ file: join(dir, 'gate.priv') });
  assert.equal(key.publicKeyHex, pubHex);
  const challenge = 'a1'.repeat(32);
  assert.ok(verifyCryptosign(pubHex, challenge, signChallenge(key.privateKey, challenge)), 'a signature the master verifies with the .pub key');

  const again = await runTsx([main, 'keygen', '--out', join(dir, 'gate')]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists; pass --force/);
  assert.equal(readFileSync(join(dir, 'gate.priv'), 'utf8'), priv, 'the old key is kept');
  assert.equal((await runTsx([main, 'keygen', '--out', join(dir, 'gate'), '--force'])).code, 0);
  assert.notEqual(readFileSync(join(dir, 'gate.priv'), 'utf8'), priv);
});
