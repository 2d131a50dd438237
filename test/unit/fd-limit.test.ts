import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileLimit, openFileLimitWarning, openFilesNeeded } from '../../src/fd-limit.js';

const limits = (soft: string, hard = soft): string =>
  `Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     \n`;

test('open-file limit: the soft limit from /proc/self/limits; unknown when unlimited, missing or unreadable', () => {
  assert.equal(openFileLimit(() => limits('20000', '40000')), 20000);
  assert.equal(openFileLimit(() => limits('unlimited')), undefined);
  assert.equal(openFileLimit(() => 'Limit Soft Hard\n'), undefined);
  assert.equal(openFileLimit(() => { throw new Error('ENOENT'); }), undefined);
  // This machine's own file parses (Linux): a positive integer.
  const own = openFileLimit();
  if (own !== undefined) assert.ok(Number.isInteger(own) && own > 0);
});

test('open-file limit warning: below 2 x maxConnections + 1024 it says how many tunnels fit; enough or unknown says nothing', () => {
  assert.equal(openFilesNeeded(20_000), 41_024);
  const w = openFileLimitWarning(20_000, 20_000);
  assert.deepEqual(w?.fields, { openFileLimit: 20_000, needed: 41_024, maxConnections: 20_000, tunnelsAtMost: 10_000 });
  assert.match(w!.msg, /EMFILE/);
  assert.equal(openFileLimitWarning(41_024, 20_000), undefined);
  assert.equal(openFileLimitWarning(undefined, 20_000), undefined);
  assert.equal(openFileLimitWarning(1044, 10), undefined);
  assert.equal(openFileLimitWarning(1043, 10)?.fields.tunnelsAtMost, 521);
});
