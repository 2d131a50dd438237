import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { NO_SUCH_REALM, PROCEDURE, REALM, startIncident } from '../support/incident.js';
import { until } from '../support/wait.js';
import { wampyJoin } from '../support/wamp-clients.js';

const N = 6;

test('incident replay, wampy: through realmgate none is refused, direct ones are', async (t) => {
  const incident = await startIncident(t);

  const gated = Array.from({ length: N }, () => wampyJoin(incident.gateUrl, REALM));
  gated.forEach((p) => p.catch(() => undefined)); // asserted below
  const direct = await Promise.allSettled(Array.from({ length: N }, () => wampyJoin(incident.directUrl, REALM)));
  await until(() => incident.gate.admission.depth(REALM) === N, `all ${N} wampy clients held by the gate`);

  for (const r of direct) if (r.status === 'fulfilled') void r.value.disconnect();
  const reasons = direct.map((r) => (r.status === 'rejected' ? (r.reason as { errorUri?: string }).errorUri : 'joined'));
  assert.deepEqual(reasons, Array(N).fill(NO_SUCH_REALM), 'every direct wampy client is refused with no_such_realm');

  await incident.routesAppear();
  const joined = await Promise.allSettled(gated);
  const failures = joined.flatMap((r) => (r.status === 'rejected' ? [JSON.stringify({ uri: (r.reason as { errorUri?: string }).errorUri, msg: String(r.reason) })] : []));
  assert.deepEqual(failures, [], 'no wampy client through realmgate was refused');
  for (const r of joined) {
    const client = (r as PromiseFulfilledResult<Wampy>).value;
    t.after(() => client.disconnect());
    const res = (await client.call(PROCEDURE, [2, 3])) as { argsList?: unknown[] };
    assert.deepEqual(res.argsList, [5], 'a call round trip through the gate');
  }
});
