import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import type { Clock, Timer } from '../clock.js';
import type { ListenTlsConfig } from '../config/schema.js';
import { describeError, ErrorCodes, RealmgateError } from '../errors.js';
import type { Logger } from '../logger.js';

/** What the client-port server needs: the secure context material and the client-certificate switch. */
export interface ServerTlsOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  /** A CA was given: clients must present a certificate it signed. */
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

function build(cert: Buffer, key: Buffer, ca: Buffer | undefined): ServerTlsOptions {
  const opts: ServerTlsOptions = { cert, key, requestCert: ca !== undefined, rejectUnauthorized: ca !== undefined };
  if (ca) opts.ca = ca;
  // Throws on a key that does not match the certificate, or unreadable PEM: caught before it is served.
  tls.createSecureContext(opts);
  return opts;
}

/** Reads and checks the files once, at start (sync: before the port is bound, nothing else runs). */
export function loadServerTls(cfg: ListenTlsConfig): ServerTlsOptions {
  try {
    const ca = cfg.caFile === undefined ? undefined : readFileSync(cfg.caFile);
    return build(readFileSync(cfg.certFile), readFileSync(cfg.keyFile), ca);
  } catch (err) {
    throw new RealmgateError(ErrorCodes.CONFIG_INVALID, `listen.tls: cannot use ${cfg.certFile} / ${cfg.keyFile}${cfg.caFile ? ` / ${cfg.caFile}` : ''}: ${describeError(err)}`, { cause: err });
  }
}

/** For logs: which certificate is served now. */
export function describeCertificate(cert: Buffer): { subject?: string; notAfter?: string; fingerprint256?: string } {
  try {
    const x = new X509Certificate(cert);
    return { subject: x.subject.replace(/\n/g, ', '), notAfter: x.validTo, fingerprint256: x.fingerprint256 };
  } catch {
    return {};
  }
}

function digest(parts: (Buffer | undefined)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p ?? Buffer.alloc(0)).update('\0');
  return h.digest('hex');
}

/**
 * Re-reads the certificate, key and CA every `watchIntervalMs` and hands a new secure context
 * to the server when their content changed. Polling (not fs.watch) because cert-manager and
 * Kubernetes replace a secret volume by swapping a symlink, which fs.watch on the file misses;
 * three small reads every few seconds cost nothing. Established connections keep the context
 * they shook hands with; only new handshakes see the new certificate.
 * A half-written rotation (certificate new, key still old) fails the check and the old material
 * stays in use until the next tick finds a matching pair.
 */
export class CertificateWatcher {
  #cfg: ListenTlsConfig;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #apply: (opts: ServerTlsOptions) => void;
  #current: string;
  /** The last content that failed, so a broken pair is reported once, not every tick. */
  #lastBad: string | undefined;
  #timer: Timer | undefined;
  #checking: Promise<boolean> | undefined;
  #closed = false;

  constructor(opts: { cfg: ListenTlsConfig; initial: ServerTlsOptions; clock: Clock; logger: Logger; apply: (opts: ServerTlsOptions) => void }) {
    this.#cfg = opts.cfg;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#apply = opts.apply;
    this.#current = digest([opts.initial.cert, opts.initial.key, opts.initial.ca]);
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    const tick = (): void => {
      this.#timer = undefined;
      void this.check().finally(() => {
        if (!this.#closed) this.#timer = this.#clock.setTimeout(tick, this.#cfg.watchIntervalMs);
      });
    };
    this.#timer = this.#clock.setTimeout(tick, this.#cfg.watchIntervalMs);
  }

  /** New file names (SIGHUP); the next check reads them. Turning client certificates on/off is a context change too. */
  reconfigure(cfg: ListenTlsConfig): void {
    this.#cfg = cfg;
  }

  /** Reads the files now; true when a new context was applied. Never throws. */
  check(): Promise<boolean> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #check(): Promise<boolean> {
    const cfg = this.#cfg;
    let cert: Buffer, key: Buffer, ca: Buffer | undefined;
    try {
      [cert, key, ca] = await Promise.all([
        readFile(cfg.certFile), readFile(cfg.keyFile), cfg.caFile === undefined ? undefined : readFile(cfg.caFile),
      ]);
    } catch (err) {
      this.#reportBad(`read:${describeError(err)}`, err);
      return false;
    }
    if (this.#closed) return false;
    const d = digest([cert, key, ca]) + (cfg.caFile === undefined ? '' : ':mtls');
    if (d === this.#current) return false;
    let opts: ServerTlsOptions;
    try {
      opts = build(cert, key, ca);
    } catch (err) {
      this.#reportBad(d, err);
      return false;
    }
    this.#apply(opts);
    this.#current = d;
    this.#lastBad = undefined;
    this.#logger.info({ certFile: cfg.certFile, ...describeCertificate(cert), clientCertificates: ca !== undefined },
      'TLS certificate reloaded: new connections use it, open ones keep theirs');
    return true;
  }

  #reportBad(key: string, err: unknown): void {
    if (this.#lastBad === key) return;
    this.#lastBad = key;
    this.#logger.warn({ certFile: this.#cfg.certFile, keyFile: this.#cfg.keyFile, err: describeError(err) },
      'TLS certificate files unusable (rotation in progress?) - still serving the previous certificate');
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  destroy(): void {
    this.close();
  }
}
