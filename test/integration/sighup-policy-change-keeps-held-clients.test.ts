import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startGateProcess } from '../support/gate-process.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo, type UpgradeResult } from '../support/ws-client.js';

interface Status {
  queues: { byRealm: Record<string, number> };
  tunnels: { total: number };
  realms: Record<string, { ready: boolean }>;
}

test('SIGHUP changes a realm policy, the realm list and the sources while clients are held and tunnels open: nobody is dropped', async (t) => {
  const upstream = await startEchoUpstream(t);
  const base = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    shutdown: { delayMs: 0, drainTimeoutMs: 1000 },
    realmFrom: ['query'],
    log: { level: 'info' },
  };
  const gate = await startGateProcess(t, {
    ...base,
    realms: [{ name: 'realm1', queueTimeoutMs: 60_000 }, { name: 'realm2' }],
    readiness: { sources: [{ type: 'static', ready: ['realm2'] }] },
  });
  const status = async (): Promise<Status> => (await (await fetch(`http://127.0.0.1:${gate.adminPort}/status`)).json()) as Status;
  const url = (realm: string) => `ws://127.0.0.1:${gate.port}/ws?realm=${realm}`;

  const tunnels = await Promise.all([1, 2].map(() => connectWs(url('realm2'), 'wamp.2.json')));
  t.after(() => tunnels.forEach((r) => r.ws?.terminate()));
  const held: Promise<UpgradeResult>[] = [1, 2, 3].map(() => connectWs(url('realm1'), 'wamp.2.json'));
  await until(async () => (await status()).queues.byRealm.realm1 === 3, 'three clients held for realm1');

  // 1. realm1 now refuses instead of queueing, realm3 is added, the log level changes.
  writeFileSync(gate.file, JSON.stringify({
    ...base,
    log: { level: 'debug' },
    realms: [{ name: 'realm1', onNotReady: 'reject', retryAfterSeconds: 7 }, { name: 'realm2' }, { name: 'realm3' }],
    readiness: { sources: [{ type: 'static', ready: ['realm2'] }] },
  }));
  gate.child.kill('SIGHUP');
  const reloaded = await gate.waitForLog('config reloaded: open tunnels and held clients kept');
  assert.deepEqual(reloaded.changed, ['log', 'realms']);
  assert.deepEqual(reloaded.realms, { added: ['realm3'], removed: [] });

  const s = await status();
  assert.equal(s.queues.byRealm.realm1, 3, 'the held clients are still held');
  assert.equal(s.tunnels.total, 2);
  assert.ok('realm3' in s.realms);
  for (const [i, r] of tunnels.entries()) assert.equal((await echo(r.ws!, `t${i}`)).toString(), `t${i}`);
  const refused = await connectWs(url('realm1'), 'wamp.2.json');
  assert.equal(refused.kind, 'refused', 'a new client gets the new policy');
  assert.equal(refused.status, 503);
  assert.equal(refused.headers!['retry-after'], '7');

  // 2. The static source now says realm1 is ready: the replaced source releases the held clients.
  writeFileSync(gate.file, JSON.stringify({
    ...base,
    realms: [{ name: 'realm1', onNotReady: 'reject' }, { name: 'realm2' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1', 'realm2'] }] },
  }));
  gate.child.kill('SIGHUP');
  const second = await until(() => gate.lines.filter((l) => l.msg === 'config reloaded: open tunnels and held clients kept')[1], 'the second reload');
  assert.deepEqual(second.sources, { replaced: ['static'], added: [], removed: [] });
  const results = await Promise.all(held);
  t.after(() => results.forEach((r) => r.ws?.terminate()));
  for (const r of results) {
    assert.equal(r.kind, 'open', 'every client held across both reloads is admitted');
    assert.equal((await echo(r.ws!, 'joined')).toString(), 'joined');
  }
  for (const [i, r] of tunnels.entries()) assert.equal((await echo(r.ws!, `again${i}`)).toString(), `again${i}`);
  assert.equal(gate.child.exitCode, null, 'SIGHUP no longer kills the gate');
});
