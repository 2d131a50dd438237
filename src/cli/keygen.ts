import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { generateCryptosignKey } from '../crossbar/cryptosign.js';
import { ErrorCodes, RealmgateError } from '../errors.js';

/** The two files `realmgate keygen` writes, and the public key they hold. */
export interface KeyPairFiles {
  privateFile: string;
  publicFile: string;
  publicKeyHex: string;
}

/**
 * Writes a new Ed25519 key pair in Crossbar's key-file format (`tag: value` lines, as
 * `~/.crossbar/default.priv` and `default.pub`): `<out>.priv` (mode 0600, holds
 * `private-key-ed25519:`) and `<out>.pub` (only `public-key-ed25519:`), which is what the
 * master's `CROSSBAR_FABRIC_SUPERUSER` names. Refuses to overwrite either file unless `force`.
 */
export function writeKeyPair(opts: { out: string; userId?: string; force?: boolean; now?: Date }): KeyPairFiles {
  const privateFile = resolve(`${opts.out}.priv`);
  const publicFile = resolve(`${opts.out}.pub`);
  for (const f of [privateFile, publicFile]) {
    if (!opts.force && existsSync(f)) {
      throw new RealmgateError(ErrorCodes.KEY_INVALID, `${f} exists; pass --force to replace it (the master must then learn the new public key)`);
    }
  }
  const key = generateCryptosignKey();
  const userId = opts.userId ?? 'realmgate';
  const header = [
    `creator: realmgate keygen`,
    `created-at: ${(opts.now ?? new Date()).toISOString()}`,
    `user-id: ${userId}`,
    `public-key-ed25519: ${key.publicKeyHex}`,
  ];
  writeFileSync(publicFile, ['# realmgate public key for the Crossbar master (Crossbar key-file format)', '', ...header, ''].join('\n'), { mode: 0o644 });
  // Written with 0600 from the start (and chmod-ed for an existing file), never readable by others.
  writeFileSync(privateFile, ['# realmgate private key for the Crossbar master API - KEEP THIS SECRET', '', ...header, `private-key-ed25519: ${key.seedHex}`, ''].join('\n'), { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  return { privateFile, publicFile, publicKeyHex: key.publicKeyHex };
}

/** What to do with a new key pair, printed by `realmgate keygen`. */
export function keygenInstructions(k: KeyPairFiles): string {
  const priv = basename(k.privateFile);
  return `wrote ${k.privateFile} (secret, mode 0600) and ${k.publicFile}
public key: ${k.publicKeyHex}

On the Crossbar master, let this key into the management realm with role owner, one of:
  a) as superuser: copy ${basename(k.publicFile)} to the master and start it with
     CROSSBAR_FABRIC_SUPERUSER=/path/to/${basename(k.publicFile)} in its environment; the master accepts
     this key on any management realm (authid "superuser", role owner).
  b) as a user: register a user whose key is this public key and give it role owner on the
     management realm (e.g. "default"), with your master's user management (crossbar shell).

In realmgate's config (readiness.sources, type crossbar):
  privateKeyFile: /secrets/${priv}          # or privateKeyEnv with the file's contents
  authid: realmgate                         # any authid for a superuser key; the user's for b)
  authrole: owner
On Kubernetes (chart helm/realmgate, realmgate.masterKey.existingSecret):
  kubectl create secret generic realmgate-master-key --from-file=realmgate.priv=${k.privateFile}
Check it: realmgate check-config --config FILE reads the key file.`;
}
