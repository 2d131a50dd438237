import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { whileMainBlocked } from '../support/blocked-main.js';

test('admin requests other than liveness wait for the main thread, at most 32 at once: the rest get 503 busy at once', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });

  // 40 /status requests while the main thread is blocked: 32 wait for it, 8 are refused by the
  // admin thread. The worker wakes this thread once the 8 refusals are in, then collects the rest.
  const { woken, result } = await whileMainBlocked<Array<{ status: number; body: string }>>(`
    const answers = [];
    let busy = 0;
    const all = [];
    for (let i = 0; i < 40; i++) {
      all.push(get(data.url).then((a) => {
        answers.push(a);
        if (a.status === 503 && ++busy === 8) wake();
      }));
    }
    await Promise.all(all);
    done(answers);
  `, { url: `${adminUrl}/status` }, 20_000);

  assert.equal(woken, true, 'eight refusals came while the main thread was blocked');
  assert.equal(result.length, 40);
  const busy = result.filter((a) => a.status === 503);
  const served = result.filter((a) => a.status === 200);
  assert.equal(busy.length, 8, 'exactly the requests past 32 were refused');
  for (const b of busy) assert.equal((JSON.parse(b.body) as { error: string }).error, 'busy');
  assert.equal(served.length, 32, 'the 32 waiting were answered by the main thread once it ran');
  for (const s of served) assert.equal(typeof (JSON.parse(s.body) as { queues: unknown }).queues, 'object');
});
