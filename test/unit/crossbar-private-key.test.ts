import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPrivateKey, parsePrivateKey } from '../../src/crossbar/private-key.js';
import { generateCryptosignKey } from '../../src/crossbar/cryptosign.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';

const k = generateCryptosignKey();
const privFile = `# Crossbar.io user key - KEEP THIS SECRET
creator: tester@host
created-at: 2026-01-01T00:00:00.000Z
user-id: ops@example.com
public-key-ed25519: ${k.publicKeyHex}
private-key-ed25519: ${k.seedHex}  # trailing comment
`;

function noSecret(e: unknown): boolean {
  const text = `${(e as Error).message} ${JSON.stringify((e as { details?: unknown }).details ?? {})}`;
  return isRealmgateError(e, ErrorCodes.KEY_INVALID) && !text.includes(k.seedHex) && !text.includes(k.seedHex.slice(0, 16));
}

test('parses a Crossbar .priv file', () => {
  const key = parsePrivateKey(privFile);
  assert.equal(key.publicKeyHex, k.publicKeyHex);
  assert.equal(key.userId, 'ops@example.com');
  assert.equal(key.privateKey.asymmetricKeyType, 'ed25519');
});

test('parses a bare hex seed (any case, surrounding whitespace)', () => {
  assert.equal(parsePrivateKey(`  ${k.seedHex.toUpperCase()}\n`).publicKeyHex, k.publicKeyHex);
});

test('a public key line that does not match is refused', () => {
  const other = generateCryptosignKey();
  const text = privFile.replace(k.publicKeyHex, other.publicKeyHex);
  assert.throws(() => parsePrivateKey(text, 'file x.priv'), noSecret);
});

test('garbage, a short seed, or a missing private line are KEY_INVALID without key material', () => {
  assert.throws(() => parsePrivateKey('hello'), noSecret);
  assert.throws(() => parsePrivateKey(k.seedHex.slice(0, 62)), noSecret);
  assert.throws(() => parsePrivateKey(`private-key-ed25519: ${k.seedHex}00`), noSecret);
  assert.throws(() => parsePrivateKey(`public-key-ed25519: ${k.publicKeyHex}`), noSecret);
});

test('loads by file and by env var; reports a missing file or variable', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'realmgate.priv');
  writeFileSync(file, privFile, { mode: 0o600 });
  assert.equal(loadPrivateKey({ file }).publicKeyHex, k.publicKeyHex);
  assert.equal(loadPrivateKey({ env: 'RG_KEY' }, { RG_KEY: k.seedHex }).publicKeyHex, k.publicKeyHex);
  assert.throws(() => loadPrivateKey({ file: join(dir, 'nope.priv') }), (e) => noSecret(e) && /ENOENT/.test((e as Error).message));
  assert.throws(() => loadPrivateKey({ env: 'RG_KEY' }, {}), (e) => noSecret(e) && /RG_KEY/.test((e as Error).message));
  assert.throws(() => loadPrivateKey({}), noSecret);
});
