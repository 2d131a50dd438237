import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConnectionLimit } from '../../reliability/hostile/connection-limit.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// listen.maxConnections 150, 300 idle clients, 3 slow-loris heads (head timeout 2 s), and an open-file limit
// sized as docs/limits.md asks (≥ 2 × maxConnections + 1024): past the limit every client is answered, and the
// admin port keeps its descriptors.
test('over listen.maxConnections clients get a clear refusal, the admin port keeps answering, slow heads are cut', async () => {
  const r = await runConnectionLimit({ clients: 300, fdLimit: 1400, maxConnections: 150, slow: 3, watchMs: 6000, headTimeoutMs: 2000 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
