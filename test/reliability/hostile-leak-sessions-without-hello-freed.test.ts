import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLeak } from '../../reliability/hostile/leak.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// The npm-test size of the leak attack: 300 HELLO-peek sessions closed 1002 / 1008, then nothing pending.
test('HELLO-peek sessions that end without a HELLO are freed: drain finds none, fds return', async () => {
  const r = await runLeak({ sessions: 300, concurrency: 100, helloTimeoutMs: 200, deadlineMs: 30_000 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
  assert.equal(r.figures.pendingFoundByDrain, 0);
});
