import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConnectionLimit } from '../../reliability/hostile/connection-limit.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// Open-file limit 256, listen.maxConnections 150, 300 idle clients, 3 slow-loris heads (head timeout 2 s).
test('over listen.maxConnections clients get a clear refusal, the admin port keeps answering, slow heads are cut', async () => {
  const r = await runConnectionLimit({ clients: 300, fdLimit: 256, maxConnections: 150, slow: 3, watchMs: 6000, headTimeoutMs: 2000 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
