// Every object the chart renders, for the default values and each ci variant,
// is valid for its Kubernetes API (kubernetes-models' OpenAPI validation); the
// prometheus-operator CRDs and the dashboard are checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { parse as parseYaml } from 'yaml';
import { isObj, only, render, variants, type RenderedObject } from './chart-harness.js';

const models: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const metrics = ['realmgate_realm_ready', 'realmgate_queue_depth', 'realmgate_queue_wait_seconds_bucket',
  'realmgate_connections_total', 'realmgate_source_up', 'realmgate_source_polls_total', 'realmgate_readmissions_total',
  'realmgate_queue_capacity', 'realmgate_upstream_connects'];

function checkMonitor(o: RenderedObject['obj'], endpointsKey: string): void {
  const spec = o.spec as Record<string, any>;
  assert.ok(isObj(spec.selector?.matchLabels), `${o.kind} selects by labels`);
  const eps = spec[endpointsKey] as Array<Record<string, unknown>>;
  assert.equal(eps.length, 1);
  assert.equal(eps[0]!.port, 'admin');
  assert.equal(eps[0]!.path, '/metrics');
  assert.match(String(eps[0]!.interval), /^\d+[smh]$/);
}

function checkPrometheusRule(o: RenderedObject['obj']): void {
  const groups = (o.spec as any).groups as Array<{ name: string; rules: Array<Record<string, any>> }>;
  const rules = groups.flatMap((g) => g.rules);
  assert.deepEqual(rules.map((r) => r.alert).sort(), ['RealmgateAbsent', 'RealmgateQueueNearCap', 'RealmgateQueueTimeouts', 'RealmgateRealmNotReady',
    'RealmgateRefusingClients', 'RealmgateSourceDown', 'RealmgateTargetDown', 'RealmgateUpstreamConnectsWaiting']);
  for (const r of rules) {
    assert.equal(typeof r.expr, 'string');
    assert.match(r.for, /^\d+[smh]$/);
    assert.ok(r.labels.severity);
    // Prometheus templating survived Helm's: `{{ $labels.x }}` is literal in the output.
    if (r.alert !== 'RealmgateAbsent') assert.match(r.annotations.summary, /\{\{ \$labels\.\w+ \}\}/);
  }
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
  assert.match(byName.RealmgateRealmNotReady.expr, /realmgate_realm_ready\{.*\}\) == 0$/);
  assert.equal(byName.RealmgateRealmNotReady.for, '5m');
  assert.match(byName.RealmgateSourceDown.expr, /realmgate_source_up\{.*\}\) == 0$/);
  assert.match(byName.RealmgateQueueNearCap.expr, /realmgate_queue_depth\{[^}]*\}\)\s*>= on \(namespace, pod, realm\)\s*0\.8 \* max by \(namespace, pod, realm\) \(realmgate_queue_capacity\{[^}]*\} > 0\)$/);
}

function checkDashboard(o: RenderedObject['obj']): void {
  const dash = JSON.parse((o.data as Record<string, string>)['realmgate.json']!) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const m of metrics) assert.ok(exprs.includes(m), `dashboard queries ${m}`);
  assert.ok(dash.panels.some((p) => /readiness/i.test(p.title)));
}

for (const [label, files] of variants()) {
  test(`every object rendered for ${label} is valid`, () => {
    const objs = render({ valuesFiles: files });
    assert.ok(objs.length >= 5, `rendered ${objs.length} objects`);
    for (const { source, obj } of objs) {
      const key = `${obj.apiVersion}/${obj.kind}`;
      assert.ok(source.startsWith('realmgate/templates/'), `${key} has a # Source comment`);
      assert.match(obj.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${key} name is a DNS label`);
      const Model = models[key];
      if (Model) {
        assert.doesNotThrow(() => new Model(obj).validate(), `${key} ${obj.metadata.name} from ${source}`);
      } else if (key === 'monitoring.coreos.com/v1/ServiceMonitor') checkMonitor(obj, 'endpoints');
      else if (key === 'monitoring.coreos.com/v1/PodMonitor') checkMonitor(obj, 'podMetricsEndpoints');
      else if (key === 'monitoring.coreos.com/v1/PrometheusRule') checkPrometheusRule(obj);
      else assert.fail(`unexpected object ${key} from ${source}`);
    }
    // The config is YAML a reader can parse (check-config runs on it in another test).
    assert.ok(isObj(parseYaml((only(objs, 'ConfigMap', '-realmgate').data as Record<string, string>)['config.yaml']!)));
  });
}

test('the monitoring variant renders every optional object and the dashboard (the podmonitor variant: the PodMonitor)', () => {
  const objs = render({ valuesFiles: variants().find(([l]) => l === 'monitoring-values.yaml')![1] });
  const kinds = objs.map((o) => o.obj.kind).sort();
  for (const k of ['ServiceMonitor', 'PrometheusRule', 'PodDisruptionBudget', 'NetworkPolicy']) {
    assert.ok(kinds.includes(k), `has ${k}`);
  }
  assert.ok(!kinds.includes('PodMonitor'), 'never a PodMonitor next to the ServiceMonitor');
  checkDashboard(only(objs, 'ConfigMap', '-dashboard'));
  const pm = render({ valuesFiles: variants().find(([l]) => l === 'podmonitor-values.yaml')![1] }).map((o) => o.obj.kind);
  assert.ok(pm.includes('PodMonitor') && !pm.includes('ServiceMonitor'), pm.join(', '));
});

test('the default values render none of the optional objects', () => {
  const kinds = render().map((o) => o.obj.kind);
  for (const k of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'PodDisruptionBudget', 'NetworkPolicy']) {
    assert.ok(!kinds.includes(k), `no ${k}`);
  }
});

test('an invalid object would be caught: validation is not a no-op', () => {
  const dep = only(render(), 'Deployment');
  const broken = structuredClone(dep) as any;
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
  assert.throws(() => new Deployment(broken).validate());
});
