// --help of the bench and the reliability suite prints usage and touches no committed file; an
// unknown flag exits 64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runTsx } from '../support/cli.js';


test('bench and reliability --help print usage and change no file; an unknown flag exits 64', async () => {
  const watched = ['bench/README.md', 'bench/results/latest.json', 'bench/results/throughput.svg', 'docs/reliability.md', 'README.md'];
  const before = watched.map((f) => statSync(join(repoRoot, f)).mtimeMs);
  const bench = await runTsx([join(repoRoot, 'bench/run.ts'), '--help']);
  assert.equal(bench.code, 0, bench.stderr);
  assert.match(bench.stdout, /npm run bench -- \[--quick\]/);
  assert.equal(bench.stderr, '', 'nothing started');
  const rel = await runTsx([join(repoRoot, 'reliability/run.ts'), '--help']);
  assert.equal(rel.code, 0, rel.stderr);
  assert.match(rel.stdout, /RELIABILITY_FUZZ_PER_CLASS/);
  assert.doesNotMatch(rel.stdout, /^== /m, 'no check ran');
  assert.deepEqual(watched.map((f) => statSync(join(repoRoot, f)).mtimeMs), before, 'no committed file rewritten');
  assert.equal((await runTsx([join(repoRoot, 'reliability/run.ts'), '--quick'])).code, 64);
  assert.equal((await runTsx([join(repoRoot, 'bench/run.ts'), '--qiuck'])).code, 64);
});
