import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateProcess } from '../support/gate-process.js';
import { startEchoUpstream } from '../support/upstream.js';

const root = join(import.meta.dirname, '../..');
const main = join(root, 'src/main.ts');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

/** The chart's default preStop script (crossbar container, python3), with the admin port filled in and no sleep. */
function chartPreStopScript(adminPort: number): string {
  const tpl = readFileSync(join(root, 'helm/realmgate/templates/_helpers.tpl'), 'utf8');
  const m = /printf "(import time, urllib\.request[^"]*)"/.exec(tpl);
  assert.ok(m, 'the preStop printf in _helpers.tpl');
  let n = 0;
  return m[1]!.replace(/\\n/g, '\n').replace(/%s/g, () => String(n++ === 0 ? adminPort : 0));
}

test('the chart preStop hook (exec in the pod, loopback) and `realmgate drain|undrain` work with the default admin protection', async (t) => {
  const upstream = await startEchoUpstream(t);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  };
  const gate = await startGateProcess(t, config);
  const admin = `http://127.0.0.1:${gate.adminPort}`;
  const ready = async () => (await fetch(`${admin}/health/ready`)).status;
  assert.equal(await ready(), 200);

  const hook = await run('python3', ['-c', chartPreStopScript(gate.adminPort)]);
  assert.equal(hook.code, 0, hook.stderr);
  assert.equal(await ready(), 503, 'the preStop hook drained the gate');
  await gate.waitForLog('admin POST /drain accepted');

  const file = join(mkdtempSync(join(tmpdir(), 'rg-cli-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const undrain = await run(process.execPath, ['--import', 'tsx', main, 'undrain', '--config', file, '--admin', admin]);
  assert.equal(undrain.code, 0, undrain.stdout + undrain.stderr);
  assert.match(undrain.stdout, /undrain: HTTP 200/);
  assert.equal(await ready(), 200);
  const drain = await run(process.execPath, ['--import', 'tsx', main, 'drain', '--config', file, '--admin', admin]);
  assert.equal(drain.code, 0, drain.stdout + drain.stderr);
  assert.equal(await ready(), 503);
  const unreachable = await run(process.execPath, ['--import', 'tsx', main, 'drain', '--config', file, '--admin', 'http://127.0.0.1:1']);
  assert.equal(unreachable.code, 2);
});
