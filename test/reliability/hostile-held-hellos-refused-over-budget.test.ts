import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHeldHellos } from '../../reliability/hostile/global-bound.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// 200 held HELLO clients × 60 KiB of details against a 2 MiB pre-admission budget.
test('held HELLOs count against one budget: clients beyond it are refused with retry guidance', async () => {
  const r = await runHeldHellos({ clients: 200, budgetBytes: 2 * 1024 * 1024, wave: 100 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
  assert.ok(Number(r.figures.refusedWithRetry) > 0, JSON.stringify(r.figures));
});
