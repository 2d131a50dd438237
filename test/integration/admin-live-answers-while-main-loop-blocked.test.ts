import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { whileMainBlocked } from '../support/blocked-main.js';

test('/health/live is answered while the main event loop is blocked (the admin thread answers it)', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });

  // The gate and this test share the main thread: while it is blocked, neither runs.
  const { woken, result } = await whileMainBlocked<Array<{ status: number; body: string }>>(`
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get(data.url));
    done(answers);
  `, { url: `${adminUrl}/health/live` }, 20_000);

  assert.equal(woken, true, 'the five probes were answered while the main loop was blocked');
  assert.equal(result.length, 5);
  for (const a of result) assert.deepEqual({ status: a.status, body: JSON.parse(a.body) }, { status: 200, body: { status: 'ok' } });
});
