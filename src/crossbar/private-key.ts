import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes, RealmgateError } from '../errors.js';

/**
 * An Ed25519 key for WAMP-cryptosign. `privateKey` is an opaque node:crypto
 * KeyObject so the raw seed never travels through the program as a string
 * (and a careless log line prints `KeyObject { type: 'private' }`, not the key).
 */
export interface LoadedKey {
  privateKey: KeyObject;
  /** The 32-byte public key as 64 lowercase hex chars (what HELLO.authextra.pubkey carries). */
  publicKeyHex: string;
  /** `user-id:` of a Crossbar `.priv` file, when present. */
  userId?: string;
}

/** Where to read the key from: exactly one of a file path or an env var name. */
export interface KeySource {
  file?: string;
  env?: string;
}

// PKCS#8 DER header for an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HEX64 = /^[0-9a-fA-F]{64}$/;

function keyError(origin: string, why: string): RealmgateError {
  // The message names where the key came from and what is wrong, never the key itself.
  return new RealmgateError(ErrorCodes.KEY_INVALID, `private key from ${origin} is invalid: ${why}`, {
    details: { origin },
  });
}

/** Builds a key from a 32-byte Ed25519 seed. */
export function keyFromSeed(seed: Uint8Array, origin = 'seed'): LoadedKey {
  if (seed.length !== 32) throw keyError(origin, `seed must be 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]),
    format: 'der',
    type: 'pkcs8',
  });
  return { privateKey, publicKeyHex: publicKeyHexOf(privateKey) };
}

/** The raw 32-byte public key of an Ed25519 KeyObject (private or public), as hex. */
export function publicKeyHexOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  // SPKI for Ed25519 is a fixed 12-byte header followed by the 32 raw key bytes.
  return Buffer.from(der.subarray(der.length - 32)).toString('hex');
}

/**
 * Parses either a bare 64-hex-char seed or a Crossbar key file (`~/.crossbar/default.priv`,
 * node `key.priv`): `tag: value` lines, `#` comments, with `private-key-ed25519:` holding the
 * hex seed. A `public-key-ed25519:` line, when present, must match the derived public key.
 * @param origin where the text came from, used in error messages (e.g. `file /secrets/x.priv`).
 * @throws RealmgateError KEY_INVALID (the message never contains key material)
 */
export function parsePrivateKey(text: string, origin = 'input'): LoadedKey {
  const trimmed = text.trim();
  if (HEX64.test(trimmed)) return keyFromSeed(Buffer.from(trimmed, 'hex'), origin);

  const tags = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) tags.set(m[1].toLowerCase(), m[2].trim());
  }
  const seedHex = tags.get('private-key-ed25519');
  if (seedHex === undefined) {
    throw keyError(origin, 'expected 64 hex chars or a Crossbar key file with a "private-key-ed25519:" line');
  }
  if (!HEX64.test(seedHex)) throw keyError(origin, '"private-key-ed25519:" must be 64 hex chars');
  const key = keyFromSeed(Buffer.from(seedHex, 'hex'), origin);
  const declared = tags.get('public-key-ed25519');
  if (declared !== undefined && declared.toLowerCase() !== key.publicKeyHex) {
    throw keyError(origin, '"public-key-ed25519:" does not match the private key');
  }
  const userId = tags.get('user-id');
  return userId ? { ...key, userId } : key;
}

/**
 * Loads the key from a file path or from the env var it names (exactly one).
 * @param env the environment to read (default process.env), injectable for tests.
 * @throws RealmgateError KEY_INVALID when missing, unreadable or malformed.
 */
export function loadPrivateKey(source: KeySource, env: NodeJS.ProcessEnv = process.env): LoadedKey {
  if ((source.file === undefined) === (source.env === undefined)) {
    throw new RealmgateError(ErrorCodes.KEY_INVALID, 'give exactly one of privateKeyFile or privateKeyEnv');
  }
  if (source.file !== undefined) {
    const origin = `file ${source.file}`;
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'read error';
      throw new RealmgateError(ErrorCodes.KEY_INVALID, `cannot read private key ${origin}: ${code}`, {
        details: { origin },
      });
    }
    return parsePrivateKey(text, origin);
  }
  const name = source.env as string;
  const origin = `env ${name}`;
  const value = env[name];
  if (value === undefined || value.trim() === '') throw keyError(origin, 'the variable is unset or empty');
  return parsePrivateKey(value, origin);
}
