#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner (tsx loads TypeScript).
// Node 20's `--test` takes no globs, so the file list is gathered here.
// Usage: node scripts/run-tests.mjs [substring ...]   (only files whose path contains one)
//
// Tests that need a Debian package (scripts/system-deps.mjs) get it installed when this runs as
// root with apt; otherwise they are left out with one line naming what to install, except under
// CI=true, where they run (and fail, saying what is missing).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { REQUIREMENTS, install, installHint, needsOf, plan, present, pretendMissing } from './system-deps.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const selected = walk(join(root, 'test'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const needs = new Map(selected.map((f) => [f, needsOf(f)]));
const wanted = [...new Set([...needs.values()].flat())];
let missing = wanted.filter((n) => !present(n));
const decision = plan({
  missing,
  root: process.getuid?.() === 0,
  apt: existsSync('/usr/bin/apt-get') && pretendMissing().length === 0,
  ci: process.env.CI === 'true',
});
if (decision.install.length > 0) missing = install(decision.install, (l) => console.error(l));
const skip = new Set(decision.skip.length > 0 ? decision.skip : []);
// Still missing after an install (apt failed): under CI fail, elsewhere leave them out too.
if (decision.install.length > 0 && process.env.CI !== 'true') for (const n of missing) skip.add(n);
const skipLines = [...skip].map((n) => {
  const files = selected.filter((f) => needs.get(f).includes(n));
  return `run-tests: SKIPPED ${files.length} test file${files.length === 1 ? '' : 's'} needing ${REQUIREMENTS[n].what} - install with: ${installHint(n)}`;
});
for (const n of missing.filter((m) => !skip.has(m))) {
  console.error(`run-tests: MISSING ${REQUIREMENTS[n].what} - its tests will fail (CI=true never skips); install with: ${installHint(n)}`);
}
const files = selected.filter((f) => !needs.get(f).some((n) => skip.has(n)));
if (files.length === 0) {
  for (const l of skipLines) console.error(l);
  console.error('no test files left to run');
  process.exit(1);
}

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  // After the runner's summary, where a reader looks: one line per thing left out.
  for (const l of skipLines) console.error(l);
  process.exit(code ?? (signal ? 1 : 0));
});
