import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSmuggling } from '../../reliability/hostile/smuggling.js';
import { unmetBehaviour } from '../../reliability/hostile/harness.js';

// 5 upgrades the upstream answers 404 (keep-alive) and 5 h2c offers, each followed by a second request.
test('no second request reaches the upstream after an answer that is not 101, nor through the h2c forward', async () => {
  const r = await runSmuggling({ clients: 5 });
  assert.deepEqual(unmetBehaviour(r), [], JSON.stringify(r.figures));
  assert.equal(r.figures.heldRealmUpgradesAtUpstream, 0);
});
