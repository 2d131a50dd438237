// The Kubernetes values in examples/kubernetes/ render with the chart, pass the values schema's
// rules, and the realmgate config they produce passes check-config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { only, render, repoRoot } from './chart-harness.js';
import { main, runTsx } from '../support/cli.js';

const dir = join(repoRoot, 'examples/kubernetes');
const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('every examples/kubernetes/*.yaml renders and its ConfigMap passes check-config', async (t) => {
  assert.ok(examples.length >= 3, examples.join(', '));
  const tmp = mkdtempSync(join(tmpdir(), 'rg-examples-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  for (const f of examples) {
    const objs = render({ valuesFiles: [join(dir, f)] });
    assert.ok(objs.some((o) => o.obj.kind === 'StatefulSet' || o.obj.kind === 'Deployment'), f);
    const cm = only(objs, 'ConfigMap', '-realmgate');
    const file = join(tmp, f);
    writeFileSync(file, (cm.data as Record<string, string>)['config.yaml']!);
    const r = await runTsx([main, 'check-config', '--config', file, '--schema-only'], { NODE_AUTHID: 'edge-0' });
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});
