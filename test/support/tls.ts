/**
 * Throwaway TLS material made at test time with openssl (a CA and leaf certificates for
 * 127.0.0.1/localhost), and clients that trust only that CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import autobahn, { type ConnectionOptions, type Session, type TransportDefinition } from 'autobahn';
import { X509Certificate } from 'node:crypto';
import { WebSocket } from 'ws';
import type { UpgradeResult } from './ws-client.js';

export interface Ca {
  certFile: string;
  keyFile: string;
  pem: Buffer;
}

export interface Leaf {
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rg-tls-'));
}

/** A self-signed P-256 CA valid for a day. */
export function makeCa(dir: string, name = 'ca'): Ca {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=realmgate test ${name}`]);
  return { certFile, keyFile, pem: readFileSync(certFile) };
}

/** A leaf for localhost and 127.0.0.1 signed by `ca`, written to `name`.pem / `name`.key. */
export function makeLeaf(dir: string, ca: Ca, name: string): Leaf {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', '1', '-extfile', ext]);
  return { certFile, keyFile };
}

/** The SHA-256 fingerprint of the certificate a fresh handshake to 127.0.0.1:port is served. */
export function servedFingerprint(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** The fingerprint of a PEM file, in the same form. */
export function fileFingerprint(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

/** connectWs over wss://, trusting only `ca`. */
export function connectWss(url: string, ca: Buffer, protocols?: string | string[], headers?: Record<string, string>): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ca, headers });
    ws.once('open', () => resolve({ kind: 'open', ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode, headers: res.headers, body }));
    });
    ws.once('error', reject);
  });
}

/** autobahn-js (json) joining `realm` over wss://, trusting only `ca`; rejects with the close reason when refused. */
export function autobahnJoinTls(url: string, realm: string, ca: Buffer): Promise<{ session: Session; details: Record<string, unknown>; close(): void }> {
  return new Promise((resolve, reject) => {
    const agent = new https.Agent({ ca });
    const connection = new autobahn.Connection({
      realm,
      max_retries: 0,
      retry_if_unreachable: false,
      transports: [{ type: 'websocket', url, protocols: ['wamp.2.json'], serializers: [new autobahn.serializer.JSONSerializer()], agent } as unknown as TransportDefinition],
    } as ConnectionOptions);
    let settled = false;
    const close = (): void => {
      try {
        connection.close();
      } catch {
        // already closed
      }
      agent.destroy();
    };
    connection.onopen = (session, details) => {
      settled = true;
      resolve({ session, details: (details ?? {}) as Record<string, unknown>, close });
    };
    connection.onclose = (reason, details) => {
      if (!settled) {
        settled = true;
        agent.destroy();
        reject(new Error(`join refused (${reason}): ${details.reason ?? ''} ${details.message ?? ''}`));
      }
      return true;
    };
    connection.open();
  });
}
