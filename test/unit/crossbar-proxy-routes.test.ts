import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeReadiness, parseRouteEventTopic, proxyWorkerIds, routeEventRealm, type WorkerState } from '../../src/crossbar/proxy-routes.js';
import { parseArealm, parseProxyRoutes, parseRealmRouteRoles, parseWebclusterNode, parseWorker } from '../../src/crossbar/answers.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';

const w = (id: string, status: string | null, routes: string[] | null, roles?: Record<string, string[]>): WorkerState =>
  roles ? { id, status, routes, roles } : { id, status, routes };

test('worker ids follow cpw-<oid[:8]>-<i> for range(parallel or 1); standby has none', () => {
  const oid = '9fbe067c-1234-4000-8000-000000000000';
  assert.deepEqual(proxyWorkerIds(oid, 2), ['cpw-9fbe067c-0', 'cpw-9fbe067c-1']);
  assert.deepEqual(proxyWorkerIds(oid, null), ['cpw-9fbe067c-0']);
  assert.deepEqual(proxyWorkerIds(oid, 0), ['cpw-9fbe067c-0']);
  assert.deepEqual(proxyWorkerIds(oid, 3, true), []);
});

test('a realm is ready only when every started worker lists it', () => {
  const both = [w('a', 'started', ['realm1', 'realm2']), w('b', 'started', ['realm1'])];
  assert.deepEqual(computeReadiness(both), { realm1: true, realm2: false });
  assert.deepEqual(computeReadiness(both, ['realm3']), { realm1: true, realm2: false, realm3: false });
});

test('workers that are not started do not count; with none started nothing is ready', () => {
  assert.deepEqual(computeReadiness([w('a', 'started', ['r']), w('b', 'starting', [])]), { r: true });
  assert.deepEqual(computeReadiness([w('a', 'starting', ['r']), w('b', null, null)], ['r']), { r: false });
  assert.deepEqual(computeReadiness([w('a', 'started', null)], ['r']), { r: false });
});

test('required roles must be mapped on every started worker', () => {
  const ws = [w('a', 'started', ['r'], { r: ['anonymous', 'user'] }), w('b', 'started', ['r'], { r: ['anonymous'] })];
  assert.deepEqual(computeReadiness(ws, [], ['anonymous']), { r: true });
  assert.deepEqual(computeReadiness(ws, [], ['user']), { r: false });
  assert.deepEqual(computeReadiness([w('a', 'started', ['r'])], [], ['anonymous']), { r: false }, 'roles not fetched yet');
});

test('route event topics are parsed; others ignored', () => {
  assert.deepEqual(parseRouteEventTopic('crossbarfabriccenter.node.node1.worker.cpw-abc-0.on_proxy_route_started'), {
    nodeAuthid: 'node1',
    workerId: 'cpw-abc-0',
    started: true,
  });
  assert.equal(parseRouteEventTopic('crossbarfabriccenter.node.n.worker.w.on_proxy_route_stopped')?.started, false);
  assert.equal(parseRouteEventTopic('crossbarfabriccenter.node.n.worker.w.on_proxy_connection_started'), null);
  assert.equal(routeEventRealm({ realm: 'realm1', id: 'route000' }), 'realm1');
  assert.equal(routeEventRealm(['realm1']), null);
});

test('malformed answers throw SOURCE_MALFORMED naming the procedure', () => {
  const bad = (fn: () => unknown, proc: string) =>
    assert.throws(fn, (e) => isRealmgateError(e, ErrorCodes.SOURCE_MALFORMED) && e.message.includes(proc));
  bad(() => parseProxyRoutes({ realms: [] }), 'get_proxy_routes');
  bad(() => parseProxyRoutes(['a', 1]), 'get_proxy_routes');
  bad(() => parseWorker({ id: 'x' }), 'get_worker');
  bad(() => parseWebclusterNode({ parallel: 'two' }), 'get_webcluster_node');
  bad(() => parseArealm({ oid: 'o', name: 'n', status: 'RUNNING', webcluster_oid: 5 }), 'get_arealm');
  bad(() => parseRealmRouteRoles([{ id: 'route000' }]), 'list_proxy_realm_routes');
  assert.deepEqual(parseRealmRouteRoles([{ config: { anonymous: 'cnc_x' } }, { config: { user: 'cnc_x' } }]), ['anonymous', 'user']);
  assert.deepEqual(parseWebclusterNode({ cluster_oid: 'c', node_oid: 'n', parallel: null, standby: false }), { parallel: null, standby: false });
});

test('worker event topics with a dotted node authid split from both ends', async () => {
  const { parseWorkerEventTopic, partialRealms } = await import('../../src/crossbar/proxy-routes.js');
  const { workerEventPattern, isUsableNodeAuthid } = await import('../../src/crossbar/node-events.js');
  const { topicMatches } = await import('../../src/wamp/topic-match.js');
  const topic = 'crossbarfabriccenter.node.edge1.example.com.worker.cpw-9fbe067c-1.on_proxy_route_started';
  assert.deepEqual(parseWorkerEventTopic(topic), { nodeAuthid: 'edge1.example.com', workerId: 'cpw-9fbe067c-1', event: 'on_proxy_route_started' });
  assert.deepEqual(parseRouteEventTopic(topic), { nodeAuthid: 'edge1.example.com', workerId: 'cpw-9fbe067c-1', started: true });
  assert.equal(parseWorkerEventTopic('crossbarfabriccenter.node..worker.w.on_x'), null);
  // The per-node wildcard pattern matches its own node's topics only (same component count).
  const pattern = workerEventPattern('edge1.example.com', 'on_proxy_route_started');
  assert.equal(topicMatches(pattern, 'wildcard', topic), true);
  assert.equal(topicMatches(pattern, 'wildcard', topic.replace('edge1.example.com', 'edge1.example')), false);
  assert.equal(topicMatches('crossbarfabriccenter.node..worker..on_proxy_route_started', 'wildcard', topic), false, 'why a generic pattern is not enough');
  assert.equal(isUsableNodeAuthid('edge1.example.com'), true);
  for (const bad of ['', 'a..b', '.a', 'a.', 'a b', 'a#b']) assert.equal(isUsableNodeAuthid(bad), false, bad);
  assert.deepEqual(partialRealms([w('a', 'started', ['r', 's']), w('b', 'started', ['s']), w('c', 'connected', [])]), ['r']);
});
