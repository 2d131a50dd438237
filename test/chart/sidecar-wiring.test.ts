// The pod wiring the chart promises: realmgate as native sidecar or classic
// container, probes on the admin port read from the config, Service on the
// client port, grace period covering the drain, restricted security, and the
// master key reaching the path or env the config names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { only, render, renderError, renderText, variants, type RenderedObject } from './chart-harness.js';

type Container = Record<string, any>;

function podSpec(objs: RenderedObject[]): Record<string, any> {
  const w = objs.find((o) => o.obj.kind === 'Deployment' || o.obj.kind === 'StatefulSet');
  assert.ok(w, 'a workload is rendered');
  return (w.obj.spec as any).template.spec;
}

function realmgateConfig(objs: RenderedObject[]): Record<string, any> {
  return parseYaml((only(objs, 'ConfigMap', '-realmgate').data as Record<string, string>)['config.yaml']!);
}

function portNumber(c: Container, name: string): number {
  const p = (c.ports as Array<{ name: string; containerPort: number }>).find((x) => x.name === name);
  assert.ok(p, `container ${c.name} has port ${name}`);
  return p.containerPort;
}

for (const [label, files] of variants()) {
  test(`pod wiring for ${label}`, () => {
    const objs = render({ valuesFiles: files });
    const spec = podSpec(objs);
    const config = realmgateConfig(objs);
    const native = !label.startsWith('classic');
    const init = (spec.initContainers ?? []) as Container[];
    const main = spec.containers as Container[];
    const rg = [...init, ...main].find((c) => c.name === 'realmgate')!;
    const cb = main.find((c) => c.name === 'crossbar')!;
    assert.ok(rg && cb, 'both containers exist');

    if (native) {
      assert.ok(init.includes(rg), 'realmgate is an initContainer');
      assert.equal(rg.restartPolicy, 'Always');
      assert.ok(!main.some((c) => c.name === 'realmgate'));
    } else {
      assert.ok(main.includes(rg), 'realmgate is a regular container');
      assert.equal(rg.restartPolicy, undefined);
      assert.equal(init.length, 0);
    }

    // Ports come from the config, so the Service, probes and realmgate agree.
    const listenPort = config.listen?.port ?? 8080;
    const adminPort = config.admin?.port ?? 9090;
    assert.equal(portNumber(rg, 'client'), listenPort);
    assert.equal(portNumber(rg, 'admin'), adminPort);
    const svc = only(objs, 'Service', '-realmgate').spec as any;
    assert.equal(svc.ports.length, 1, 'the client Service exposes only the client port');
    assert.equal(svc.ports[0].targetPort, 'client');
    const adminSvc = only(objs, 'Service', '-admin').spec as any;
    assert.equal(adminSvc.ports[0].targetPort, 'admin');
    assert.equal(adminSvc.type, 'ClusterIP');

    assert.deepEqual(rg.readinessProbe.httpGet, { path: '/health/ready', port: 'admin' });
    assert.deepEqual(rg.livenessProbe.httpGet, { path: '/health/live', port: 'admin' });
    assert.deepEqual(rg.startupProbe.httpGet, { path: '/health/live', port: 'admin' });
    // The pod's readiness is realmgate's /health/ready alone.
    assert.equal(cb.readinessProbe, undefined);
    assert.equal(cb.startupProbe, undefined);
    // realmgate forwards to a Crossbar port inside the pod.
    const upstream = new URL(config.upstream.url);
    assert.equal(upstream.hostname, '127.0.0.1');
    assert.ok((cb.ports as Array<{ containerPort: number }>).some((p) => p.containerPort === Number(upstream.port)));

    // Config file and env.
    const env = Object.fromEntries((rg.env as Array<{ name: string }>).map((e) => [e.name, e]));
    assert.equal((env.REALMGATE_CONFIG as any).value, '/etc/realmgate/config.yaml');
    assert.ok(env.NODE_AUTHID, 'NODE_AUTHID is set for ${NODE_AUTHID}');
    assert.deepEqual(rg.args, ['--config', '/etc/realmgate/config.yaml']);
    const cfgMount = rg.volumeMounts.find((m: any) => m.name === 'realmgate-config');
    assert.equal(cfgMount.mountPath, '/etc/realmgate');

    // Grace period covers delay + drain with a margin, and Crossbar outlives the drain.
    const delayMs = config.shutdown?.delayMs ?? 5000;
    const drainMs = config.shutdown?.drainTimeoutMs ?? 30000;
    assert.ok(spec.terminationGracePeriodSeconds >= (delayMs + drainMs) / 1000 + 10, `grace ${spec.terminationGracePeriodSeconds}`);
    if (!cb.command) {
      const hook = cb.lifecycle.preStop.exec.command.join(' ');
      assert.match(hook, new RegExp(`127\\.0\\.0\\.1:${adminPort}/drain`));
      assert.match(hook, new RegExp(`time\\.sleep\\(${Math.ceil((delayMs + drainMs) / 1000)}\\)`));
    }

    // Restricted security.
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault');
    for (const c of [rg, cb]) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, c.name);
      assert.equal(c.securityContext.runAsNonRoot, true, c.name);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, c.name);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], c.name);
      assert.equal(c.securityContext.seccompProfile.type, 'RuntimeDefault', c.name);
      assert.ok(c.resources.requests, `${c.name} has resource requests`);
    }

    // Master key: the crossbar source's file is under the Secret's mount, or its env comes from it.
    for (const s of config.readiness.sources as Array<Record<string, string>>) {
      if (s.type !== 'crossbar') continue;
      if (s.privateKeyFile) {
        const m = rg.volumeMounts.find((v: any) => s.privateKeyFile!.startsWith(`${v.mountPath}/`));
        assert.equal(m?.name, 'realmgate-master-key');
        const vol = spec.volumes.find((v: any) => v.name === 'realmgate-master-key');
        assert.equal(`${m.mountPath}/${vol.secret.items[0].path}`, s.privateKeyFile);
      } else {
        assert.ok((env[s.privateKeyEnv!] as any)?.valueFrom?.secretKeyRef?.name, 'key env from a Secret');
      }
    }
  });
}

test('a crossbar source whose key file is outside the Secret mount is refused at render time', () => {
  const f = variants().find(([l]) => l.startsWith('classic'))![1];
  const err = renderError({ valuesFiles: f, set: ['realmgate.masterKey.mountPath=/elsewhere'] });
  assert.match(err, /privateKeyFile must be a file under realmgate.masterKey.mountPath/);
});

test('a crossbar source without a master key Secret is refused at render time', () => {
  const f = variants().find(([l]) => l.startsWith('classic'))![1];
  assert.match(renderError({ valuesFiles: f, set: ['realmgate.masterKey.existingSecret='] }), /existingSecret is required/);
});

test('a grace period shorter than the drain is refused; native sidecars need Kubernetes 1.29', () => {
  assert.match(renderError({ set: ['terminationGracePeriodSeconds=20'] }), /shorter than realmgate's shutdown/);
  assert.match(renderError({ kubeVersion: 'v1.28.3' }), /needs Kubernetes >= 1.29/);
  assert.doesNotThrow(() => renderText({ kubeVersion: 'v1.28.3', set: ['realmgate.sidecarMode=classic'] }));
});

test('changing the config rolls the pods (config checksum annotation)', () => {
  const sum = (set: string[]): string => (only(render({ set }), 'Deployment').spec as any).template.metadata.annotations['checksum/config'];
  assert.notEqual(sum([]), sum(['realmgate.config.log.level=debug']));
});

test('NOTES.txt renders with the release and the probes explained', () => {
  const notes = renderText({ notes: true, releaseName: 'edge', namespace: 'wamp' });
  assert.match(notes, /svc\/edge-realmgate /);
  assert.match(notes, /\/health\/ready/);
  assert.match(notes, /placeholder ghcr\.io\/realmgate\/realmgate, which is\s+not published/, 'the default image is flagged');
  assert.doesNotMatch(renderText({ notes: true, set: ['realmgate.image.repository=registry.example.com/realmgate'] }), /placeholder/);
});
