// examples/static/realmgate.yaml starts as it is (only its ports moved to free ones through the
// variables it documents) and reports ready; check-config accepts it without any variable set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { main, repoRoot, runTsx } from '../support/cli.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const example = join(repoRoot, 'examples/static/realmgate.yaml');

test('examples/static/realmgate.yaml passes check-config with no variables set', async () => {
  const r = await runTsx([main, 'check-config', '--config', example], { LISTEN_PORT: undefined, ADMIN_PORT: undefined, UPSTREAM_PORT: undefined });
  assert.equal(r.code, 0, r.stderr);
  const effective = JSON.parse(r.stdout) as { listen: { port: number }; admin: { port: number } };
  assert.equal(effective.listen.port, 8080);
  assert.equal(effective.admin.port, 9090);
});

test('examples/static/realmgate.yaml runs: /health/ready is 200, realm2 503', async (t) => {
  const [listen, admin] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--config', example], {
    env: { ...process.env, LISTEN_PORT: String(listen), ADMIN_PORT: String(admin) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => { if (l.includes('realmgate started')) resolve(); });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const ready = await fetch(`http://127.0.0.1:${admin}/health/ready`);
  assert.equal(ready.status, 200);
  const body = (await ready.json()) as { realms: Record<string, { ready: boolean }> };
  assert.equal(body.realms.realm1?.ready, true);
  assert.equal((await fetch(`http://127.0.0.1:${admin}/health/ready/realm2`)).status, 503);
  child.kill('SIGTERM');
  assert.equal(await new Promise((r) => child.on('exit', r)), 0, 'a clean shutdown on SIGTERM');
});
