import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRow, runLoad } from '../../reliability/load.js';

// The npm-test size of the load check: 300 held clients plus 20 over the queue limit.
test('held clients are all admitted on release; overflow gets 503 + Retry-After; fds return', async () => {
  const r = await runLoad({ held: 300, over: 20, releasePerSecond: 0, deadlineMs: 60_000 });
  assert.equal(r.heldSeen, 300);
  assert.equal(r.admitted, 300, JSON.stringify(r));
  assert.equal(r.refusedWithRetry, 20);
  assert.deepEqual(r.refusedReasons, { queue_full: 20 });
  assert.deepEqual(r.other, {});
  assert.equal(r.crashes, 0);
  assert.ok(r.peakRssKb > 0);
  assert.ok(loadRow(r).pass, JSON.stringify(loadRow(r).figures));
});
