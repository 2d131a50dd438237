import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { UpstreamTlsConfig } from '../config/schema.js';
import { describeError, ErrorCodes, RealmgateError } from '../errors.js';

/** How the gate verifies an https:// upstream (tunnels, HELLO peek, plain HTTP forward). */
export interface UpstreamTlsOptions {
  ca?: Buffer;
  servername?: string;
  /** false only with `upstream.tls.insecure: true`: verification is never skipped by accident. */
  rejectUnauthorized: boolean;
}

/** Reads `upstream.tls` once (start or reload); undefined when the key is absent (system CAs, host name as SNI). */
export function loadUpstreamTls(cfg: UpstreamTlsConfig | undefined): UpstreamTlsOptions | undefined {
  if (!cfg) return undefined;
  const out: UpstreamTlsOptions = { rejectUnauthorized: !cfg.insecure };
  if (cfg.servername !== undefined) out.servername = cfg.servername;
  if (cfg.caFile !== undefined) {
    try {
      out.ca = readFileSync(cfg.caFile);
    } catch (err) {
      throw new RealmgateError(ErrorCodes.CONFIG_INVALID, `upstream.tls.caFile: cannot read ${cfg.caFile}: ${describeError(err)}`, { cause: err });
    }
  }
  return out;
}

/** The node:tls options for one upstream connection. */
export function tlsConnectOptions(o: UpstreamTlsOptions | undefined): ConnectionOptions {
  if (!o) return {};
  const c: ConnectionOptions = { rejectUnauthorized: o.rejectUnauthorized };
  if (o.ca) c.ca = o.ca;
  if (o.servername !== undefined) c.servername = o.servername;
  return c;
}
