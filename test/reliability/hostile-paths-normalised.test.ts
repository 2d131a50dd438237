import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPaths } from '../../reliability/hostile/answers.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

test('/ws/%72ealm1, /ws//realm1, /ws/./realm1 are held like /ws/realm1 (or refused), never passed through', async () => {
  const r = await runPaths();
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
