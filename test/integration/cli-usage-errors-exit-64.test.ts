// Usage errors exit 64 (not 1, which means a bad config) with the usage; --help exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main, runTsx } from '../support/cli.js';


test('usage errors exit 64 with the usage; --help exits 0', async () => {
  const cases = [['frobnicate'], ['--no-such-flag'], ['check-config', 'extra'], ['check-config']];
  const results = await Promise.all(cases.map((args) => runTsx([main, ...args], { REALMGATE_CONFIG: '' })));
  results.forEach((r, i) => {
    assert.equal(r.code, 64, `${cases[i]!.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^realmgate: /, cases[i]!.join(' '));
  });
  const h = await runTsx([main, '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /keygen/);
  assert.match(h.stdout, /64 usage error/);
});
