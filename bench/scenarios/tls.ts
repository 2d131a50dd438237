/**
 * Scenario 5 — TLS on the client port: realmgate terminating TLS (`listen.tls`) beside nginx
 * terminating TLS with the same certificate (P-256 ECDSA, TLS 1.3, made with openssl at run time),
 * each also measured in plain text, so the cost of TLS per message and per session is the
 * difference between a proxy's wss:// and ws:// rows. Same cases and method as scenarios 1 and 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCa, makeLeaf } from '../../test/support/tls.js';
import type { LoadDriver } from '../lib/load-driver.js';
import { processTree, type ProcessSet } from '../lib/procs.js';
import { freePort, startGate, waitForPort, type Target } from '../lib/targets.js';
import { runSessionScenario, type SessionSummary } from './sessions.js';
import { runTunnelScenario, type TunnelSummary } from './tunnel.js';

export interface BenchTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway CA and a certificate for 127.0.0.1. The load client must trust the CA: the caller
 * sets NODE_EXTRA_CA_CERTS=caFile before the load-client process starts.
 */
export function makeBenchTls(): BenchTls {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-tls-'));
  const ca = makeCa(dir);
  const leaf = makeLeaf(dir, ca, 'proxy');
  return { caFile: ca.certFile, certFile: leaf.certFile, keyFile: leaf.keyFile };
}

/** nginx (1 worker, access log off) terminating TLS with `tls` and proxying WebSockets to the upstream. */
async function startNginxTls(ps: ProcessSet, upstreamPort: number, tls: BenchTls): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-nginx-tls-'));
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 9000; }
worker_rlimit_nofile 20000;
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream echo { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${port} ssl backlog=4096;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffer_size 64k;
      proxy_buffers 8 64k;
      proxy_busy_buffers_size 128k;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
    }
  }
}
`);
  const child = ps.spawn('nginx-tls', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  await waitForPort(port);
  await new Promise((r) => setTimeout(r, 100));
  return { name: 'nginx-tls', url: `wss://127.0.0.1:${port}`, child, cpuPids: processTree(child.pid) };
}

export interface TlsResults {
  tunnel: TunnelSummary[];
  sessions: SessionSummary[];
  /** Per proxy: TLS minus plain, from the medians above. */
  cost: { proxy: string; case: string; addedCpuUsPerMsg: number | null; addedP50Us: number | null }[];
  sessionCost: { proxy: string; addedCpuUsPerSession: number | null; addedP50Us: number | null }[];
}

/**
 * Runs the tunnel cases and session establishment against realmgate and nginx, each plain and
 * with TLS (a fresh handshake per session: no session resumption on either side).
 */
export async function runTlsScenario(
  ps: ProcessSet,
  load: LoadDriver,
  upstreamPort: number,
  nginxPlain: Target | undefined,
  tls: BenchTls,
  opts: { reps: number; warmupMs: number; windowMs: number; deadline: number; log: (s: string) => void; cases?: string[] | undefined },
): Promise<TlsResults> {
  const common = {
    upstream: { url: `http://127.0.0.1:${upstreamPort}` },
    realms: [{ name: 'realm1' }],
    realmFrom: ['path', 'query', 'hello'],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  };
  const plain = await startGate(ps, 'realmgate', common);
  const secure = await startGate(ps, 'realmgate-tls', { ...common, listen: { host: '127.0.0.1', port: 0, tls: { certFile: tls.certFile, keyFile: tls.keyFile } } });
  const secureUrl = secure.url.replace(/^ws:/, 'wss:');
  const nginxTls = await startNginxTls(ps, upstreamPort, tls);
  const targets = [
    { name: 'realmgate', url: `${plain.url}/ws?realm=realm1`, cpuPids: plain.cpuPids },
    { name: 'realmgate-tls', url: `${secureUrl}/ws?realm=realm1`, cpuPids: secure.cpuPids },
    ...(nginxPlain ? [{ name: 'nginx', url: `${nginxPlain.url}/ws`, cpuPids: nginxPlain.cpuPids }] : []),
    { name: 'nginx-tls', url: `${nginxTls.url}/ws`, cpuPids: nginxTls.cpuPids },
  ];
  const tunnel = await runTunnelScenario(load, targets.map((t) => ({ ...t, wamp: false })), opts);
  const sessions = await runSessionScenario(load, targets, { reps: opts.reps, concurrency: 16, warmupMs: 150, windowMs: opts.windowMs, deadline: opts.deadline, log: opts.log });
  await plain.child.stop();
  await secure.child.stop();
  await nginxTls.child?.stop();

  const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
    a === null || a === undefined || b === null || b === undefined ? null : Math.round((a - b) * 10) / 10;
  const cost: TlsResults['cost'] = [];
  const sessionCost: TlsResults['sessionCost'] = [];
  for (const [proxy, base] of [['realmgate', 'realmgate'], ['nginx', 'nginx']] as const) {
    for (const c of new Set(tunnel.map((r) => r.case))) {
      const p = tunnel.find((r) => r.case === c && r.target === base);
      const s = tunnel.find((r) => r.case === c && r.target === `${base}-tls`);
      cost.push({ proxy, case: c, addedCpuUsPerMsg: diff(s?.cpuUsPerMsg, p?.cpuUsPerMsg), addedP50Us: diff(s?.p50Us, p?.p50Us) });
    }
    const p = sessions.find((r) => r.target === base);
    const s = sessions.find((r) => r.target === `${base}-tls`);
    sessionCost.push({ proxy, addedCpuUsPerSession: diff(s?.cpuUsPerSession, p?.cpuUsPerSession), addedP50Us: diff(s?.p50Us, p?.p50Us) });
  }
  return { tunnel, sessions, cost, sessionCost };
}
