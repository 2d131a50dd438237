// The realmgate config the chart puts in its ConfigMap, for the default values
// and each ci variant, is accepted by `realmgate check-config` (the real CLI,
// run through tsx), with ${NODE_AUTHID} given as the pod would give it; --schema-only, since
// the key file the pod mounts is not on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { only, render, repoRoot, variants } from './chart-harness.js';

function checkConfig(file: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'check-config', '--config', file, '--schema-only'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the ConfigMap of every variant passes check-config', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'realmgate-chart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [label, files] of variants()) {
    const cm = only(render({ valuesFiles: files }), 'ConfigMap', '-realmgate');
    const file = join(dir, `${label}.yaml`);
    writeFileSync(file, (cm.data as Record<string, string>)['config.yaml']!);
    const r = checkConfig(file, { NODE_AUTHID: 'rg-0', REALMGATE_MASTER_KEY: '0'.repeat(64) });
    assert.equal(r.status, 0, `${label}: ${r.stderr}`);
    const effective = JSON.parse(r.stdout) as { readiness: { sources: Array<{ type: string; node?: string }> } };
    for (const s of effective.readiness.sources) if (s.type === 'crossbar') assert.equal(s.node, 'rg-0', label);
  }
});

test('check-config does reject a broken chart config (the check can fail)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'realmgate-chart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cm = only(render({ set: ['realmgate.config.defaults.onNotReady=hold'] }), 'ConfigMap', '-realmgate');
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, (cm.data as Record<string, string>)['config.yaml']!);
  const r = checkConfig(file, {});
  assert.equal(r.status, 1);
  assert.match(r.stderr, /defaults\.onNotReady/);
});
