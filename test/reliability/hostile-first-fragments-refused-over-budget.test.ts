import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFirstFragments } from '../../reliability/hostile/global-bound.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// 200 clients × 60 KiB of an unfinished first message against a 2 MiB pre-admission budget.
test('first fragments before HELLO count against one budget: clients beyond it are refused with retry guidance', async () => {
  const r = await runFirstFragments({ clients: 200, budgetBytes: 2 * 1024 * 1024, wave: 100 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
  assert.ok(Number(r.figures.refusedWithRetry) > 0, JSON.stringify(r.figures));
});
