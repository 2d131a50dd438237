// needs: python3-autobahn
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPythonAutobahn, NO_SUCH_REALM, REALM, runPythonClients, startIncident } from '../support/incident.js';
import { until } from '../support/wait.js';

const N = 4;

test('incident replay, autobahn-python with the classic retry loop: through realmgate none is refused, direct ones are', async (t) => {
  await assertPythonAutobahn();
  const incident = await startIncident(t);
  const gated = runPythonClients(t, incident.gateUrl, N);
  const direct = runPythonClients(t, incident.directUrl, N);

  // The gap: every client through the gate is held, every direct client has been refused at least once.
  await until(() => incident.gate.admission.depth(REALM) === N, `all ${N} python clients held by the gate (stderr: ${gated.stderr()})`, 30_000);
  await until(() => new Set(direct.of('abort').map((e) => e.client)).size === N, `each direct python client refused (stderr: ${direct.stderr()})`, 30_000);
  await incident.routesAppear();

  assert.equal(await gated.exited, 0, gated.stderr());
  assert.equal(await direct.exited, 0, direct.stderr());
  assert.deepEqual(gated.of('abort'), [], 'no client through realmgate saw an ABORT');
  assert.equal(gated.of('connect').length, N, 'each gated client needed exactly one attempt');
  assert.equal(gated.of('joined').length, N);
  assert.deepEqual(gated.of('call').map((e) => e.result), Array(N).fill(5), 'every gated client made a call round trip');

  const refusals = direct.of('abort');
  assert.ok(refusals.length >= N, `direct clients were refused during the gap (${refusals.length} refusals)`);
  assert.ok(refusals.every((e) => e.reason === NO_SUCH_REALM), `direct refusals are no_such_realm: ${JSON.stringify(refusals[0])}`);
  assert.equal(direct.of('joined').length, N, 'the retry loop gets direct clients in once every worker is routed');
  assert.deepEqual(direct.of('gave_up'), []);
});
