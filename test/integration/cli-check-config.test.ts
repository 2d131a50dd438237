import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../../src/main.ts');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr });
    });
  });
}

test('check-config prints the effective config with secrets redacted and exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, `
upstream:
  url: http://127.0.0.1:8081
readiness:
  sources:
    - type: http
      url: http://127.0.0.1:7000/realms
      headers: { Authorization: "Bearer s3cr3t" }
    - type: crossbar
      url: ws://127.0.0.1:9000/ws
      authid: realmgate
      privateKeyEnv: RG_KEY
      node: \${NODE_AUTHID}
      webcluster: cluster1
`);
  const r = await cli(['check-config', '--config', file], { NODE_AUTHID: 'node1', RG_KEY: '1'.repeat(64) });
  assert.equal(r.code, 0, r.stderr);
  const effective = JSON.parse(r.stdout);
  assert.equal(effective.readiness.sources[1].node, 'node1');
  assert.equal(effective.defaults.queueTimeoutMs, 30000);
  assert.doesNotMatch(r.stdout, /s3cr3t/);
});

test('check-config lists every problem and exits 1; a missing file exits 1 too, no config at all 64', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ upstream: { url: 'nope' }, listen: { port: -1 }, extra: true, readiness: { sources: [] } }));
  const r = await cli(['check-config', '--config', file]);
  assert.equal(r.code, 1);
  for (const p of ['upstream.url', 'listen.port', 'extra', 'readiness.sources']) assert.match(r.stderr, new RegExp(p.replace('.', '\\.')), p);
  assert.equal((await cli(['check-config', '--config', join(dir, 'missing.yaml')])).code, 1);
  const none = await cli(['check-config'], { REALMGATE_CONFIG: '' });
  assert.equal(none.code, 64, 'no --config is a usage error');
  assert.match(none.stderr, /no config file/);
});

test('--version, --help and unknown commands', async () => {
  const v = await cli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.match((await cli(['--help'])).stdout, /check-config/);
  const u = await cli(['frobnicate']);
  assert.equal(u.code, 64, 'a usage error has its own exit code, not a bad config');
  assert.match(u.stderr, /unknown command "frobnicate"/);
});

test('a port already in use exits 2 with a one-line message', async (t) => {
  const net = await import('node:net');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as import('node:net').AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'rg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({
    listen: { host: '127.0.0.1', port }, admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: 'http://127.0.0.1:1' }, readiness: { sources: [{ type: 'static' }] },
  }));
  const r = await cli(['--config', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^realmgate: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE\n$/);
});
