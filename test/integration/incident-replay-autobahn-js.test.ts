import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_SUCH_REALM, PROCEDURE, REALM, startIncident } from '../support/incident.js';
import { until } from '../support/wait.js';
import { autobahnJoin, JoinRefused, type AutobahnSerializerId } from '../support/wamp-clients.js';

const N = 6;
const SERIALIZERS: AutobahnSerializerId[] = ['json', 'msgpack', 'cbor'];

test('incident replay, autobahn-js (json, msgpack, cbor): through realmgate none is refused, direct ones are', async (t) => {
  const incident = await startIncident(t);
  const serializer = (i: number): AutobahnSerializerId => SERIALIZERS[i % SERIALIZERS.length]!;

  // During the gap: N clients through the gate (URL without realm: the realm is only in HELLO) and N direct.
  const gated = Array.from({ length: N }, (_, i) => autobahnJoin(incident.gateUrl, REALM, serializer(i)));
  gated.forEach((p) => p.catch(() => undefined)); // asserted below; keep an early refusal from going unhandled
  const direct = await Promise.allSettled(Array.from({ length: N }, (_, i) => autobahnJoin(incident.directUrl, REALM, serializer(i))));
  await until(() => incident.gate.admission.depth(REALM) === N, `all ${N} autobahn-js clients held by the gate`);

  for (const r of direct) if (r.status === 'fulfilled') r.value.close();
  const refused = direct.flatMap((r) => (r.status === 'rejected' ? [r.reason as JoinRefused] : []));
  assert.equal(refused.length, N, 'every direct client is refused while no worker has the route');
  assert.ok(refused.every((e) => e instanceof JoinRefused && e.reason === NO_SUCH_REALM), `direct refusals are no_such_realm: ${refused[0]?.message}`);

  await incident.routesAppear();
  const joined = await Promise.allSettled(gated);
  const failures = joined.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
  assert.deepEqual(failures, [], 'no client through realmgate was refused');
  for (const r of joined) {
    assert.equal(r.status, 'fulfilled');
    t.after(r.value.close);
    assert.equal(await r.value.session.call(PROCEDURE, [2, 3]), 5, 'a call round trip through the gate');
  }
  const workers = joined.map((r) => (r.status === 'fulfilled' ? String((r.value.details as { authextra?: { x_cb_proxy_worker?: string } }).authextra?.x_cb_proxy_worker) : ''));
  assert.deepEqual([...new Set(workers)].sort(), ['cpw-9fbe067c-0', 'cpw-9fbe067c-1'], 'released clients are served by both workers');
});
