import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAnswers } from '../../reliability/hostile/answers.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

test('refusals say the truth: no hint, not served here (no retry), queue full, draining; readiness reason during drain', async () => {
  const r = await runAnswers();
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
