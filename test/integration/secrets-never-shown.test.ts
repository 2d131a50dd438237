import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateProcess } from '../support/gate-process.js';
import { rawExchange } from '../support/raw-http.js';

const main = join(import.meta.dirname, '../../src/main.ts');

// Every secret a config or a client can carry, each a distinct greppable value.
const S = {
  upstreamPass: 'UPPASS1x9q',
  upstreamUser: 'UPUSER2k7w',
  sourcePass: 'SRCPASS3m2z',
  sourceToken: 'QTOKEN4p8r',
  bearer: 'BEARER5h3j',
  cookie: 'COOKIE6t4n',
  probeTicket: 'PROBETICKET7v1c',
  masterToken: 'MASTERTOK8b6d',
  privateKey: 'a1'.repeat(32),
  clientTicket: 'CLIENTTICKET9y5f',
  clientAuth: 'CLIENTAUTH0g2s',
};

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test('secrets in every config place and in client requests never reach /status, check-config or the log', async (t) => {
  // A control plane that always fails, so the http source logs and records its error.
  const plane = http.createServer((_req, res) => res.writeHead(500).end('no'));
  await new Promise<void>((r) => plane.listen(0, '127.0.0.1', r));
  t.after(() => plane.close());
  const planePort = (plane.address() as AddressInfo).port;
  const dead = await closedPort();
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: `http://${S.upstreamUser}:${S.upstreamPass}@127.0.0.1:${dead}`, connectTimeoutMs: 500 },
    realms: [{ name: 'realm1' }],
    readiness: {
      combine: 'any',
      sources: [
        { type: 'http', url: `http://u:${S.sourcePass}@127.0.0.1:${planePort}/realms?token=${S.sourceToken}`, intervalMs: 50,
          headers: { Authorization: `Bearer ${S.bearer}`, Cookie: `session=${S.cookie}` } },
        { type: 'probe', url: `ws://127.0.0.1:${dead}/ws?ticket=${S.probeTicket}`, intervalMs: 50, timeoutMs: 200 },
        { type: 'crossbar', url: `ws://127.0.0.1:${dead}/ws?token=${S.masterToken}`, authid: 'realmgate', privateKeyEnv: 'RG_KEY',
          node: 'node1', webcluster: 'cluster1', reconnect: { initialDelayMs: 20, maxDelayMs: 50 } },
      ],
    },
    shutdown: { delayMs: 0, drainTimeoutMs: 100 },
    log: { level: 'trace' },
  };
  const gp = await startGateProcess(t, config, { RG_KEY: S.privateKey });
  let stderr = '';
  gp.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));

  await gp.waitForLog(/readiness source "http" failed/);
  await gp.waitForLog(/crossbar master/);
  // A client's ticket and Authorization: forwarded as plain HTTP to a dead upstream (logged at debug) and as an upgrade.
  await rawExchange(gp.port, `GET /call?ticket=${S.clientTicket} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${S.clientAuth}\r\nCookie: a=${S.cookie}\r\n\r\n`, 3000);
  await gp.waitForLog('HTTP forward failed');
  await rawExchange(gp.port, `GET /ws?realm=nope&ticket=${S.clientTicket} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${S.clientAuth}\r\n\r\n`, 3000);

  const statusRes = await fetch(`http://127.0.0.1:${gp.adminPort}/status`);
  const statusText = await statusRes.text();
  const status = JSON.parse(statusText) as { upstream: string; sources: { name: string; lastError: string | null }[] };
  assert.ok(status.sources.find((s) => s.name === 'http')?.lastError, 'the http source error is shown (redacted)');
  assert.match(status.upstream, /^http:\/\/\[redacted\]@127\.0\.0\.1:\d+\/?$/);

  const dir = mkdtempSync(join(tmpdir(), 'rg-secrets-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const check = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', main, 'check-config', '--config', file], { env: { ...process.env, RG_KEY: S.privateKey } },
      (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? Number((err as { code?: number }).code ?? 1) : 0 })),
  );
  assert.equal(check.code, 0, check.stderr);
  const effective = JSON.parse(check.stdout) as { readiness: { sources: { url: string }[] } };
  assert.equal(effective.readiness.sources[0]!.url, `http://[redacted]@127.0.0.1:${planePort}/realms?token=[redacted]`);

  gp.child.kill('SIGTERM');
  await gp.exited;
  const log = gp.lines.map((l) => JSON.stringify(l)).join('\n');
  assert.ok(gp.lines.length > 5, 'the log was captured');
  const places = { '/status': statusText, 'check-config': check.stdout + check.stderr, log, stderr };
  for (const [where, text] of Object.entries(places)) {
    for (const [what, secret] of Object.entries(S)) {
      assert.ok(!text.includes(secret), `${what} (${secret}) appears in ${where}:\n${text.split('\n').filter((l) => l.includes(secret)).join('\n').slice(0, 600)}`);
    }
  }
});
