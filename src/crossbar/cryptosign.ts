import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { keyFromSeed, type LoadedKey } from './private-key.js';

/**
 * WAMP-cryptosign as Crossbar's `PendingAuthCryptosign` checks it (crossbar-facts §1):
 *
 *   router ── CHALLENGE [4, "cryptosign", {challenge: <64 hex = 32 random bytes>, channel_binding: null}]
 *   client ── AUTHENTICATE [5, hex(ed25519_sig(data)) + hex(data), {}]        (192 hex chars)
 *
 * Without channel binding `data` is the challenge bytes themselves. We never request channel
 * binding: it would only apply behind TLS and breaks behind TLS-terminating load balancers.
 */

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Signs a cryptosign CHALLENGE.
 * @param challengeHex `extra.challenge` of the CHALLENGE message (64 hex chars).
 * @returns the AUTHENTICATE signature string: 128 hex chars of signature + 64 hex chars of data.
 * @throws RealmgateError AUTH_FAILED when the challenge is malformed or channel binding was demanded.
 */
export function signChallenge(key: KeyObject, challengeHex: unknown, channelBinding?: unknown): string {
  if (channelBinding !== undefined && channelBinding !== null) {
    throw new RealmgateError(ErrorCodes.AUTH_FAILED, `cryptosign: channel binding "${String(channelBinding)}" not supported`);
  }
  if (typeof challengeHex !== 'string' || challengeHex.length !== 64 || !HEX.test(challengeHex)) {
    throw new RealmgateError(ErrorCodes.AUTH_FAILED, 'cryptosign: CHALLENGE.extra.challenge must be 64 hex chars');
  }
  const data = Buffer.from(challengeHex, 'hex');
  // Ed25519 in node:crypto takes `null` as the digest: the algorithm hashes internally.
  const signature = sign(null, data, key);
  return signature.toString('hex') + data.toString('hex');
}

/**
 * Verifies an AUTHENTICATE signature the way the router does: 96 bytes of hex, the trailing
 * 32 bytes equal to the expected challenge, and a valid Ed25519 signature over them.
 * @returns false for any mismatch or malformed input (never throws).
 */
export function verifyCryptosign(publicKeyHex: string, challengeHex: string, signatureHex: unknown): boolean {
  if (typeof signatureHex !== 'string' || signatureHex.length !== 192 || !HEX.test(signatureHex)) return false;
  if (!HEX.test(publicKeyHex) || publicKeyHex.length !== 64) return false;
  const signed = Buffer.from(signatureHex, 'hex');
  const sig = signed.subarray(0, 64);
  const data = signed.subarray(64);
  if (!data.equals(Buffer.from(challengeHex, 'hex'))) return false;
  try {
    return verify(null, data, publicKeyFromHex(publicKeyHex), sig);
  } catch {
    return false;
  }
}

/** A node:crypto public KeyObject from 32 raw Ed25519 public key bytes in hex. */
export function publicKeyFromHex(publicKeyHex: string): KeyObject {
  // SPKI header for Ed25519, then the raw key.
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKeyHex, 'hex')]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/**
 * A fresh key pair, for tests, the demo and `realmgate` key generation. `seedHex` is returned
 * so a caller can write a `.priv` file; treat it as a secret.
 */
export function generateCryptosignKey(): LoadedKey & { seedHex: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(String(jwk.d), 'base64url');
  return { ...keyFromSeed(seed), seedHex: seed.toString('hex') };
}
