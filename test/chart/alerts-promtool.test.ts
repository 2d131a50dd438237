// needs: promtool
// The alert rules as the chart renders them pass `promtool check rules`, and `promtool test
// rules` (alerts.promtool-tests.yaml) fires every one of them: per-realm queue caps, refusal
// and queue-timeout rates, a source down, a target down and no series at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, only, render } from './chart-harness.js';
import { promtool } from '../support/promtool.js';

const testsFile = join(import.meta.dirname, 'alerts.promtool-tests.yaml');

test('rendered alert rules pass promtool check rules and promtool test rules fires each alert', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-alerts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rule = only(render({ valuesFiles: [join(chartDir, 'ci/monitoring-values.yaml')] }), 'PrometheusRule');
  const spec = rule.spec as { groups: { rules: { alert?: string }[] }[] };
  writeFileSync(join(dir, 'rules.yaml'), JSON.stringify(spec));
  copyFileSync(testsFile, join(dir, 'tests.yaml'));

  const check = await promtool(['check', 'rules', join(dir, 'rules.yaml')]);
  assert.equal(check.code, 0, check.out);
  t.diagnostic(`promtool check rules: ${check.out.trim().replace(/\s+/g, ' ')}`);

  const run = await promtool(['test', 'rules', join(dir, 'tests.yaml')]);
  assert.equal(run.code, 0, run.out);
  t.diagnostic(`promtool test rules: ${run.out.trim().replace(/\s+/g, ' ')}`);

  const alerts = spec.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => a !== undefined);
  const tests = parse(readFileSync(testsFile, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
  const fired = new Set(tests.tests.flatMap((tc) => tc.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
  assert.deepEqual(alerts.filter((a) => !fired.has(a)), [], 'every alert has a unit test that fires it');
  assert.ok(alerts.length >= 7, alerts.join(', '));
});
