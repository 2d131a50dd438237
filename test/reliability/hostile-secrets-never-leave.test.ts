import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSecrets } from '../../reliability/hostile/secrets.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

test('userinfo, ?token=, ?ticket=, Authorization and Cookie reach no client, /status, log line or check-config', async () => {
  const r = await runSecrets({ clients: 9 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
});
