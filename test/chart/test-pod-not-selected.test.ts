// The `helm test` pod is not selected by the chart's Services, PodDisruptionBudget, NetworkPolicy
// or Pod/ServiceMonitors, and — in every variant — may reach the admin port it asks: either no
// NetworkPolicy fences the pods, or the admin rule lets the test pod in. ServiceMonitor and
// PodMonitor cannot both be on (schema and template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { chartDir, mergedValues, render, renderError, variants, type RenderedObject } from './chart-harness.js';

type Labels = Record<string, string>;
interface Peer { podSelector?: { matchLabels?: Labels }; namespaceSelector?: { matchLabels?: Labels } }
interface IngressRule { ports?: { port: string | number }[]; from?: Peer[] }

const matches = (selector: Labels | undefined, labels: Labels): boolean =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

function podLabels(o: RenderedObject['obj']): Labels {
  const spec = o.spec as { template?: { metadata?: { labels?: Labels } } };
  return spec.template?.metadata?.labels ?? {};
}

for (const [label, files] of variants()) {
  test(`${label}: the test pod is selected by nothing and can reach the admin port`, () => {
    const objs = render({ valuesFiles: files });
    const testPod = objs.find((o) => o.obj.kind === 'Pod' && o.source.includes('tests/'))?.obj;
    assert.ok(testPod, 'a helm test pod');
    const testLabels = (testPod.metadata.labels ?? {}) as Labels;
    const workload = objs.find((o) => o.obj.kind === 'Deployment' || o.obj.kind === 'StatefulSet')!.obj;
    const workloadLabels = podLabels(workload);

    for (const { obj } of objs) {
      const spec = (obj.spec ?? {}) as Record<string, any>;
      const selector: Labels | undefined =
        obj.kind === 'Service' ? spec.selector
        : obj.kind === 'PodDisruptionBudget' || obj.kind === 'PodMonitor' ? spec.selector?.matchLabels
        : obj.kind === 'NetworkPolicy' ? spec.podSelector?.matchLabels
        : undefined;
      if (selector === undefined) continue;
      assert.ok(!matches(selector, testLabels), `${obj.kind} ${obj.metadata.name} selects the test pod`);
      assert.ok(matches(selector, workloadLabels), `${obj.kind} ${obj.metadata.name} still selects the workload pods`);
    }

    // What the test asks: the admin Service, which selects the workload pods.
    const command = JSON.stringify((testPod.spec as { containers: unknown[] }).containers);
    const admin = objs.find((o) => o.obj.kind === 'Service' && o.obj.metadata.name.endsWith('-admin'))!.obj;
    assert.match(command, new RegExp(`http://${admin.metadata.name}:\\d+/health/ready`));

    for (const policy of objs.filter((o) => o.obj.kind === 'NetworkPolicy')) {
      const spec = policy.obj.spec as { policyTypes: string[]; ingress?: IngressRule[] };
      if (!spec.policyTypes.includes('Ingress')) continue;
      const allowed = (spec.ingress ?? []).some((rule) =>
        (rule.ports === undefined || rule.ports.some((p) => p.port === 'admin')) &&
        (rule.from === undefined || rule.from.some((peer) => peer.namespaceSelector === undefined && matches(peer.podSelector?.matchLabels, testLabels))));
      assert.ok(allowed, `${policy.obj.metadata.name}: the test pod may reach the admin port (${JSON.stringify(spec.ingress)})`);
    }
  });
}

test('ServiceMonitor and PodMonitor together are refused by the schema and by the templates', () => {
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  const both = mergedValues([]) as { metrics: { serviceMonitor: { enabled: boolean }; podMonitor: { enabled: boolean } } };
  both.metrics.serviceMonitor.enabled = true;
  both.metrics.podMonitor.enabled = true;
  assert.equal(validate(both), false, 'the schema refuses both');
  both.metrics.podMonitor.enabled = false;
  assert.equal(validate(both), true, JSON.stringify(validate.errors));
  assert.match(renderError({ set: ['metrics.serviceMonitor.enabled=true', 'metrics.podMonitor.enabled=true'] }), /both scrape the same admin port/);
});
