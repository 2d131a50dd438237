/**
 * The processes under test: the echo upstream, realmgate (the built CLI),
 * nginx and HAProxy from Debian packages (installed if absent), each on
 * loopback with a private config in a temp dir, run in the foreground.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processTree, type Child, type ProcessSet } from './procs.js';

const root = join(import.meta.dirname, '../..');

export interface Target {
  name: string;
  /** ws:// base URL (no path). */
  url: string;
  child?: Child;
  /** Processes charged with the target's CPU (resolved after start: nginx master + worker). */
  cpuPids: number[];
}

/** A free loopback TCP port (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Waits (bounded) until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export function tsxArgs(script: string): string[] {
  return ['--import', 'tsx', join(root, 'bench', script)];
}

export async function startUpstream(ps: ProcessSet): Promise<{ child: Child; port: number }> {
  const child = ps.spawn('echo-upstream', process.execPath, tsxArgs('echo-upstream.ts'), { cwd: root });
  const line = await child.waitForLine(/"port"/);
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

/** realmgate from dist/ (run `npm run build` first) with `config` (JSON), listen/admin on port 0. */
/**
 * The one-realm gate config of the diagnosis tools (gc-probe, ab-sessions): realm1 ready at once,
 * realm from path, query or HELLO. Written to a temp file; returns its path.
 */
export function writeProbeConfig(upstreamPort: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rg-probe-')), 'config.json');
  writeFileSync(file, JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 },
    shutdown: { delayMs: 0, drainTimeoutMs: 0 }, log: { level: 'info' },
    upstream: { url: `http://127.0.0.1:${upstreamPort}` }, realms: [{ name: 'realm1' }],
    realmFrom: ['path', 'query', 'hello'], readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  }));
  return file;
}

export async function startGate(ps: ProcessSet, name: string, config: Record<string, unknown>, env: Record<string, string> = {}): Promise<Target & { adminUrl: string; child: Child }> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    shutdown: { delayMs: 0, drainTimeoutMs: 0 },
    log: { level: 'info' },
    ...config,
  }));
  // RG_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=bench/results", profiles the gate.
  const nodeArgs = (process.env.RG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = ps.spawn(name, process.execPath, [...nodeArgs, process.env.RG_BENCH_MAIN ?? join(root, 'dist/main.js'), '--config', file], { cwd: root, env: { ...process.env, ...env } });
  const started = JSON.parse(await child.waitForLine(/realmgate started/)) as { listen: string; admin: string };
  const port = String(started.listen).split(':').pop();
  const adminPort = String(started.admin).split(':').pop();
  return { name, url: `ws://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}`, child, cpuPids: [child.pid] };
}

/** Installs the Debian packages if a binary is missing; returns a reason string if it could not. */
export function ensurePackages(): { nginx?: string; haproxy?: string } {
  const missing = (bin: string): boolean => {
    try { execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }); return false; } catch { return true; }
  };
  const need = [missing('nginx') ? 'nginx-light' : '', missing('haproxy') ? 'haproxy' : ''].filter(Boolean);
  if (need.length > 0) {
    console.error(`bench: installing ${need.join(', ')} from Debian packages`);
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 120_000 });
      execFileSync('apt-get', ['install', '-y', '-qq', ...need], { stdio: 'ignore', timeout: 180_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch (err) {
      console.error(`bench: apt-get install failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return {
    nginx: missing('nginx') ? 'nginx is not installed and could not be installed' : undefined,
    haproxy: missing('haproxy') ? 'haproxy is not installed and could not be installed' : undefined,
  };
}

/** nginx 1.22 (one worker, access log off) proxying WebSockets to the upstream. */
export async function startNginx(ps: ProcessSet, upstreamPort: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-nginx-'));
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
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_buffer_size 64k;
      proxy_buffers 8 64k;
      proxy_busy_buffers_size 128k;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
    }
  }
}
`);
  const child = ps.spawn('nginx', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  await waitForPort(port);
  await new Promise((r) => setTimeout(r, 100));
  return { name: 'nginx', url: `ws://127.0.0.1:${port}`, child, cpuPids: processTree(child.pid) };
}

/** HAProxy 2.6 (one thread) in http mode with `timeout tunnel`. */
export async function startHaproxy(ps: ProcessSet, upstreamPort: number): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-haproxy-'));
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, `
global
  nbthread 1
  maxconn 9000
defaults
  mode http
  timeout connect 5s
  timeout client 3600s
  timeout server 3600s
  timeout tunnel 1h
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server echo 127.0.0.1:${upstreamPort}
`);
  const child = ps.spawn('haproxy', 'haproxy', ['-f', cfg, '-db']);
  await waitForPort(port);
  return { name: 'haproxy', url: `ws://127.0.0.1:${port}`, child, cpuPids: processTree(child.pid) };
}
