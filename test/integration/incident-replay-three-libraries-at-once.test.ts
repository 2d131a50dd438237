// needs: python3-autobahn
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPythonAutobahn, NO_SUCH_REALM, PROCEDURE, REALM, runPythonClients, startIncident } from '../support/incident.js';
import { until } from '../support/wait.js';
import { autobahnJoin, JoinRefused, wampyJoin } from '../support/wamp-clients.js';

const PER_LIBRARY = 4;

test('incident replay: autobahn-js, wampy and autobahn-python through one gate during the gap — 0 refusals; direct ones refused in the same run', async (t) => {
  await assertPythonAutobahn();
  const incident = await startIncident(t);

  // Through realmgate, all three libraries at once; the gate learns readiness from the master.
  const js = Array.from({ length: PER_LIBRARY }, (_, i) => autobahnJoin(incident.gateUrl, REALM, i % 2 === 0 ? 'json' : 'msgpack'));
  const wampy = Array.from({ length: PER_LIBRARY }, () => wampyJoin(incident.gateUrl, REALM));
  [...js, ...wampy].forEach((p: Promise<unknown>) => p.catch(() => undefined)); // asserted below
  const py = runPythonClients(t, incident.gateUrl, PER_LIBRARY);
  // Direct, in the same run and the same gap: autobahn-js (one attempt) and autobahn-python (retry loop).
  const pyDirect = runPythonClients(t, incident.directUrl, PER_LIBRARY);
  const jsDirect = await Promise.allSettled(Array.from({ length: PER_LIBRARY }, () => autobahnJoin(incident.directUrl, REALM)));

  await until(() => incident.gate.admission.depth(REALM) === 3 * PER_LIBRARY, `all ${3 * PER_LIBRARY} clients held (python stderr: ${py.stderr()})`, 30_000);
  await until(() => new Set(pyDirect.of('abort').map((e) => e.client)).size === PER_LIBRARY, 'each direct python client refused at least once', 30_000);
  await incident.routesAppear();

  const jsJoined = await Promise.allSettled(js);
  const wampyJoined = await Promise.allSettled(wampy);
  assert.equal(await py.exited, 0, py.stderr());
  assert.equal(await pyDirect.exited, 0, pyDirect.stderr());

  const refusedThroughGate = [
    ...jsJoined.flatMap((r) => (r.status === 'rejected' ? [`autobahn-js: ${(r.reason as Error).message}`] : [])),
    ...wampyJoined.flatMap((r) => (r.status === 'rejected' ? [`wampy: ${(r.reason as { errorUri?: string }).errorUri}`] : [])),
    ...py.of('abort').map((e) => `autobahn-python: ${e.reason}`),
  ];
  assert.deepEqual(refusedThroughGate, [], 'no client of any library saw a refusal through realmgate');
  for (const r of jsJoined) {
    assert.equal(r.status, 'fulfilled');
    t.after(r.value.close);
    assert.equal(await r.value.session.call(PROCEDURE, [2, 3]), 5);
  }
  for (const r of wampyJoined) {
    assert.equal(r.status, 'fulfilled');
    t.after(() => r.value.disconnect());
    assert.deepEqual(((await r.value.call(PROCEDURE, [2, 3])) as { argsList?: unknown[] }).argsList, [5]);
  }
  assert.equal(py.of('connect').length, PER_LIBRARY, 'python clients through the gate joined at their first attempt');
  assert.deepEqual(py.of('call').map((e) => e.result), Array(PER_LIBRARY).fill(5));

  for (const r of jsDirect) if (r.status === 'fulfilled') r.value.close();
  assert.deepEqual(jsDirect.map((r) => (r.status === 'rejected' ? (r.reason as JoinRefused).reason : 'joined')), Array(PER_LIBRARY).fill(NO_SUCH_REALM));
  assert.ok(pyDirect.of('abort').every((e) => e.reason === NO_SUCH_REALM));
  assert.equal(pyDirect.of('joined').length, PER_LIBRARY, 'the direct retry loop gets in only after the routes appear');
  assert.ok(incident.gate.registry.isReady(REALM));
  assert.ok(incident.logs.some((l) => /routes now configured for realm "realm1"/.test(l.msg)), 'the gate logged the transition');
});
