import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { checkHealth } from '../../src/cli/health.js';
import { waitReady } from '../../src/cli/wait.js';

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

  // The CLI itself (exit codes, argument parsing) in child processes, started together; the
  // other cases call the same functions in-process (each node + tsx start is seconds on a busy machine).
  const lines: string[] = [];
  const write = (l: string): void => void lines.push(l);
  const waiting = cli(['wait', '--admin', adminUrl, '--timeout', '60']);
  t.after(waiting.kill);
  const [timedOut, healthy, usage] = await Promise.all([
    cli(['wait', '--admin', adminUrl, '--timeout', '1']).exited,
    cli(['health', '--admin', adminUrl]).exited,
    cli(['wait', '--timeout', '0']).exited,
  ]);
  assert.equal(timedOut.code, 3, timedOut.stderr);
  assert.match(timedOut.stderr, /not ready after 1 s .*HTTP 503/);
  assert.equal(healthy.code, 0, healthy.stderr);
  assert.equal(usage.code, 64, 'a bad --timeout is a usage error (exit 64, as every usage error)');

  // 2 s: the first answer of a fresh gate under a loaded test run can take a few hundred ms.
  assert.equal(await waitReady({ admin: adminUrl, realm: 'nope', timeoutMs: 2000, intervalMs: 100, write }), 3);
  assert.match(lines.at(-1)!, /realm "nope" is not known/);
  assert.equal(await checkHealth({ admin: 'http://127.0.0.1:1', ready: false, timeoutMs: 1000, write }), 3);
  assert.match(lines.at(-1)!, /unhealthy .*no answer/);
  assert.equal(await checkHealth({ admin: adminUrl, ready: true, timeoutMs: 1000, write }), 3, '--ready: the gate is not ready');

  // The realm and then the gate become ready only after the waits have each seen a 503.
  const forRealm2 = waitReady({ admin: adminUrl, realm: 'realm2', timeoutMs: 60_000, intervalMs: 50, write });
  await until(() => /not ready yet/.test(waiting.stderr()) && lines.some((l) => /not ready yet .*realm2/.test(l)), 'both waits to have polled once', 60_000);
  const sink = gate.registry.sinkFor('test', 'http');
  sink.snapshot({ realm2: true });
  assert.equal(await forRealm2, 0);
  assert.ok(waiting.running(), 'the wait for the whole gate goes on: realm1 is required and not ready');
  sink.snapshot({ realm1: true, realm2: true });
  const ready = await waiting.exited;
  assert.equal(ready.code, 0, ready.stderr);
});
