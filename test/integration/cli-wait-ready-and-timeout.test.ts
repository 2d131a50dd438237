import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

const main = join(import.meta.dirname, '../../src/main.ts');

function cli(args: string[]): { exited: Promise<{ code: number | null; stderr: string }>; stderr(): string; running(): boolean; kill(): void } {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, REALMGATE_CONFIG: '', REALMGATE_ADMIN_URL: '' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))),
    stderr: () => stderr,
    running: () => child.exitCode === null && child.signalCode === null,
    kill: () => child.kill('SIGKILL'),
  };
}

test('`realmgate wait` exits 3 when the gate stays unready past --timeout, 0 once it (or the named realm) is ready; `health` answers for HEALTHCHECK', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { gate, adminUrl } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', required: false }],
  });

  // Independent runs in parallel (each is a node process start).
  const [timedOut, unknown, healthy, nobody, usage] = await Promise.all([
    cli(['wait', '--admin', adminUrl, '--timeout', '1']).exited,
    cli(['wait', '--admin', adminUrl, '--realm', 'nope', '--timeout', '1']).exited,
    cli(['health', '--admin', adminUrl]).exited,
    cli(['health', '--admin', 'http://127.0.0.1:1']).exited,
    cli(['wait', '--timeout', '0']).exited,
  ]);
  assert.equal(timedOut.code, 3, timedOut.stderr);
  assert.match(timedOut.stderr, /not ready after 1 s .*HTTP 503/);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /realm "nope" is not known/);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.equal(nobody.code, 3);
  assert.match(nobody.stderr, /unhealthy .*no answer/);
  assert.equal(usage.code, 1, 'a bad --timeout is a usage error');

  // Started while unready; the realms become ready only after each has seen a 503.
  const waiting = cli(['wait', '--admin', adminUrl, '--timeout', '60']);
  t.after(waiting.kill);
  const forRealm2 = cli(['wait', '--admin', adminUrl, '--realm', 'realm2', '--timeout', '60']);
  t.after(forRealm2.kill);
  await until(() => /not ready yet/.test(waiting.stderr()) && /not ready yet/.test(forRealm2.stderr()), 'both waits to have polled once', 30_000);
  const sink = gate.registry.sinkFor('test', 'http');
  sink.snapshot({ realm2: true });
  const r2 = await forRealm2.exited;
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(waiting.running(), 'the wait for the whole gate goes on: realm1 is required and not ready');
  sink.snapshot({ realm1: true, realm2: true });
  const ready = await waiting.exited;
  assert.equal(ready.code, 0, ready.stderr);
});
