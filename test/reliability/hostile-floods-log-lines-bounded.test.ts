import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFloods } from '../../reliability/hostile/floods.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// 300 clients against a down upstream, 60 HELLO clients re-admitted until their deadline: ≤ 30 lines each.
test('per-client warnings are aggregated: a flood of clients writes a bounded number of log lines', async () => {
  const r = await runFloods({ unreachable: 300, readmitted: 60, maxLines: 30 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
