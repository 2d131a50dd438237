import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startGateProcess } from '../support/gate-process.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

test('SIGHUP with an invalid file, then with a port change: both reported and refused, the running config and its tunnels go on', async (t) => {
  const upstream = await startEchoUpstream(t);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realmFrom: ['query'],
    realms: [{ name: 'realm1' }],
    readiness: { sources: [{ type: 'static', ready: ['realm1'] }] },
  };
  const gate = await startGateProcess(t, config);
  const tunnel = await connectWs(`ws://127.0.0.1:${gate.port}/ws?realm=realm1`, 'wamp.2.json');
  t.after(() => tunnel.ws?.terminate());

  // Two problems at once: both are listed.
  writeFileSync(gate.file, JSON.stringify({ ...config, realms: [{ name: 'realm 1' }], unknownRealm: 'maybe' }));
  gate.child.kill('SIGHUP');
  const invalid = await gate.waitForLog(/^config reload refused: the file is invalid/);
  assert.equal(invalid.level, 50);
  const problems = invalid.problems as { path: string }[];
  assert.deepEqual(problems.map((p) => p.path).sort(), ['realms.0.name', 'unknownRealm']);

  writeFileSync(gate.file, '{ this is: [not yaml');
  gate.child.kill('SIGHUP');
  await until(() => gate.lines.filter((l) => /^config reload refused: the file is invalid/.test(String(l.msg))).length === 2, 'the YAML error to be reported');

  // A listener change needs a restart: refused whole, even the allowed part (a new realm) is not applied.
  writeFileSync(gate.file, JSON.stringify({ ...config, listen: { host: '127.0.0.1', port: gate.port + 1 }, realms: [{ name: 'realm1' }, { name: 'realm2' }] }));
  gate.child.kill('SIGHUP');
  const refused = await gate.waitForLog(/^config reload refused: listen.port changed, which needs a restart/);
  assert.deepEqual(refused.keys, ['listen.port']);

  const status = (await (await fetch(`http://127.0.0.1:${gate.adminPort}/status`)).json()) as { realms: Record<string, unknown> };
  assert.deepEqual(Object.keys(status.realms), ['realm1'], 'nothing of a refused reload is applied');
  assert.equal(tunnel.kind, 'open');
  assert.equal((await echo(tunnel.ws!, 'still here')).toString(), 'still here');
  const fresh = await connectWs(`ws://127.0.0.1:${gate.port}/ws?realm=realm1`, 'wamp.2.json');
  t.after(() => fresh.ws?.terminate());
  assert.equal(fresh.kind, 'open', 'the old listener still serves');
  assert.equal(gate.child.exitCode, null);
});
