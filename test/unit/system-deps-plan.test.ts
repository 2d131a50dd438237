// The skip/install/fail rule for tests that need Debian packages (scripts/system-deps.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installHint, needsOf, plan, REQUIREMENTS } from '../../scripts/system-deps.mjs';

const repoRoot = new URL('../..', import.meta.url).pathname;

test('missing tools: root with apt installs, CI fails, anyone else skips', () => {
  const missing = ['python3-autobahn', 'promtool'];
  assert.deepEqual(plan({ missing, root: true, apt: true, ci: true }), { install: missing, skip: [], failing: [] });
  assert.deepEqual(plan({ missing, root: true, apt: true, ci: false }), { install: missing, skip: [], failing: [] });
  assert.deepEqual(plan({ missing, root: false, apt: true, ci: true }), { install: [], skip: [], failing: missing });
  assert.deepEqual(plan({ missing, root: true, apt: false, ci: true }), { install: [], skip: [], failing: missing });
  assert.deepEqual(plan({ missing, root: false, apt: true, ci: false }), { install: [], skip: missing, failing: [] });
  assert.deepEqual(plan({ missing: [], root: false, apt: false, ci: false }), { install: [], skip: [], failing: [] });
});

test('every test file that runs a system tool declares it', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(join(repoRoot, d), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${d}/${e.name}`);
      else if (e.name.endsWith('.test.ts')) files.push(`${d}/${e.name}`);
    }
  };
  walk('test');
  for (const f of files) {
    const needs = needsOf(f);
    if (f.includes('python')) assert.ok(needs.includes('python3-autobahn'), `${f} declares python3-autobahn`);
    if (f.startsWith('test/chart/')) assert.ok(needs.includes('chart-tools'), f);
    if (f.includes('promtool')) assert.ok(needs.includes('promtool'), `${f} declares promtool`);
    if (/from '\.\.\/support\/tls\.js'/.test(readFileSync(join(repoRoot, f), 'utf8'))) assert.ok(needs.includes('openssl'), `${f} declares openssl`);
  }
  assert.ok(needsOf('test/integration/incident-replay-three-libraries-at-once.test.ts').includes('python3-autobahn'));
});

test('an unknown requirement name is an error, and each hint is a command to paste', () => {
  assert.match(installHint('python3-autobahn'), /^sudo apt-get install -y python3-autobahn python3-cbor2$/);
  assert.match(installHint('chart-tools'), /^sudo bash scripts\/install-chart-tools\.sh$/);
  for (const name of Object.keys(REQUIREMENTS)) assert.ok(installHint(name).length > 0);
  const dir = join(repoRoot, '.tmp', 'needs-test');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'x.test.ts'), '// needs: pyhton3-autobahn\n');
  assert.throws(() => needsOf('.tmp/needs-test/x.test.ts'), /unknown requirement "pyhton3-autobahn"/);
});

test('run-tests leaves out a test whose tool is missing, with one line naming the install command', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/run-tests.mjs'), 'unit/ws-frames', 'incident-replay-autobahn-python'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, CI: '', REALMGATE_TEST_PRETEND_MISSING: 'python3-autobahn' },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.includes('run-tests:'));
  assert.deepEqual(lines, [
    "run-tests: SKIPPED 1 test file needing autobahn-python under Debian's /usr/bin/python3 (the autobahn-python client tests) - install with: sudo apt-get install -y python3-autobahn python3-cbor2",
  ]);
  assert.doesNotMatch(r.stdout, /autobahn-python with the classic retry loop/, 'the python test did not run');
  assert.match(r.stdout, /^(#|ℹ) pass [1-9]/m, 'the other file ran');
});
