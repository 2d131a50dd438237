import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAdmin } from '../../reliability/hostile/admin.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

test('POST /drain is refused cross-site and from a non-loopback peer, works for preStop, and can be undone', async () => {
  const r = await runAdmin();
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
