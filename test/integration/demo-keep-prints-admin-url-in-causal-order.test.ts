// `realmgate demo --keep`: prints the gate's admin URL, leaves everything running after the
// verdict (the admin port answers) until SIGINT, then exits 0; every line that reports a client
// joining through realmgate comes after the line saying the realm became ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { until } from '../support/wait.js';

const main = join(import.meta.dirname, '../../src/main.ts');

test('demo --keep prints the admin URL, stays up until SIGINT, lines in causal order', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'demo', '--clients', '6', '--duration-ms', '3000', '--keep'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));

  await until(() => stdout.includes('Ctrl-C stops it.'), `the demo finished and kept running (stdout: ${stdout}, stderr: ${stderr})`, 30_000);
  const admin = /realmgate admin {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  assert.ok(admin, `admin URL printed: ${stdout}`);
  const ready = await fetch(`${admin}/health/ready`);
  assert.equal(ready.status, 200, 'the gate still answers after the verdict');
  const metrics = await (await fetch(`${admin}/metrics`)).text();
  assert.match(metrics, /^realmgate_realm_ready\{realm="realm1"\} 1$/m);

  const lines = stdout.split('\n');
  const readyLine = lines.findIndex((l) => /realmgate: realm "realm1" ready/.test(l));
  assert.ok(readyLine > 0, stdout);
  const gatedJoins = lines.map((l, i) => ({ l, i })).filter(({ l }) => /through realmgate: .*joined/.test(l));
  assert.ok(gatedJoins.length > 0, stdout);
  for (const { l, i } of gatedJoins) assert.ok(i > readyLine, `"${l.trim()}" printed after the ready line:\n${stdout}`);

  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
});
