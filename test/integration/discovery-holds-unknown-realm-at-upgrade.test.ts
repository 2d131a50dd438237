import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedCluster } from '../../src/demo/cluster.js';
import { startGate } from '../support/gate.js';
import { until } from '../support/wait.js';
import { autobahnJoin } from '../support/wamp-clients.js';
import { SHORT_TIMING } from '../support/crossbar-scenario.js';

test('discovery mode, upgrade-time realm: a realm not known yet is held (not passed) while the cluster places routes, then admitted', async (t) => {
  const cluster = new SimulatedCluster({ workers: 2, realms: ['realm1'], fresh: true, arealmStatus: 'STOPPED', timing: SHORT_TIMING });
  t.after(() => cluster.destroy());
  await cluster.listen();
  const envName = `RG_HOLD_UNKNOWN_${process.pid}`;
  process.env[envName] = cluster.key.seedHex;
  t.after(() => delete process.env[envName]);
  const { gate, wsUrl, adminUrl } = await startGate(t, {
    upstream: { url: cluster.proxyUrl },
    realms: [],
    realmFrom: ['query'],
    readiness: { sources: [{ type: 'crossbar', url: cluster.masterUrl, authid: 'realmgate', privateKeyEnv: envName, node: 'node1', webcluster: 'cluster1' }] },
  });
  await until(() => gate.registry.sources()[0]!.lastSuccess !== null, 'the source to answer');
  assert.equal(gate.registry.holdUnknown(), true, 'no worker started, nothing discovered yet');
  const status = (await (await fetch(`${adminUrl}/status`)).json()) as { readiness: { holdUnknown: boolean; partial: string } };
  assert.deepEqual([status.readiness.holdUnknown, status.readiness.partial], [true, 'readmit']);

  const joining = autobahnJoin(`${wsUrl}/ws?realm=realm1`, 'realm1');
  await until(() => gate.admission.depth('realm1') === 1, 'the client held although realm1 is unknown');
  assert.equal(gate.registry.isKnown('realm1'), false);
  await cluster.startNode();
  await cluster.startArealm('realm1');
  const joined = await joining;
  assert.equal(gate.registry.isReady('realm1'), true);
  assert.equal(cluster.proxy.stats().refusals, 0, 'never passed to a worker without the route');
  joined.close();
  assert.equal(gate.registry.holdUnknown(), false, 'settled: unknown realms pass again');
});
