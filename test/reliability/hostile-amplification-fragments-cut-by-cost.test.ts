import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAmplification } from '../../reliability/hostile/amplification.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// The npm-test size of the amplification attack: 5 clients × ~129 KiB of one-byte fragments.
test('one-byte fragments are counted at their real cost: each client is cut, none buffered until its HELLO timeout', async () => {
  const r = await runAmplification({ clients: 5, helloTimeoutMs: 3000 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
