// needs: openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { echo } from '../support/ws-client.js';
import { connectWss, fileFingerprint, makeCa, makeLeaf, servedFingerprint, tempDir } from '../support/tls.js';

test('certificate files rotated mid-run (cert-manager): new handshakes get the new certificate, open tunnels keep going', async (t) => {
  const dir = tempDir();
  const ca = makeCa(dir);
  const first = makeLeaf(dir, ca, 'first');
  const second = makeLeaf(dir, ca, 'second');
  // The gate reads these two paths; the test swaps their content as a secret update would.
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(first.certFile, certFile);
  copyFileSync(first.keyFile, keyFile);

  const upstream = await startEchoUpstream(t);
  const { port, logs } = await startGate(t, {
    listen: { host: '127.0.0.1', port: 0, tls: { certFile, keyFile, watchIntervalMs: 50 } },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { combine: 'any', sources: [{ type: 'static', ready: ['realm1'] }] },
  });
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(first.certFile));

  const tunnels = await Promise.all([1, 2, 3].map(() => connectWss(`wss://localhost:${port}/ws?realm=realm1`, ca.pem, 'wamp.2.json')));
  t.after(() => tunnels.forEach((r) => r.ws?.terminate()));
  for (const r of tunnels) assert.equal(r.kind, 'open');

  // Half a rotation: the new certificate with the old key. It must not be served; the old pair stays.
  copyFileSync(second.certFile, certFile);
  const warned = await until(() => logs.find((l) => /TLS certificate files unusable/.test(l.msg)), 'the mismatched pair to be reported');
  assert.equal(warned.level, 40);
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(first.certFile), 'still the old certificate');

  // The key arrives: the new pair is served to new handshakes.
  copyFileSync(second.keyFile, keyFile);
  await until(() => logs.find((l) => /TLS certificate reloaded/.test(l.msg)), 'the new pair to be loaded');
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(second.certFile));

  // Every tunnel opened under the old certificate is still up and carries data both ways.
  for (const [i, r] of tunnels.entries()) assert.equal((await echo(r.ws!, `after rotation ${i}`)).toString(), `after rotation ${i}`);
  const fresh = await connectWss(`wss://localhost:${port}/ws?realm=realm1`, ca.pem, 'wamp.2.json');
  t.after(() => fresh.ws?.terminate());
  assert.equal((await echo(fresh.ws!, 'new')).toString(), 'new');
  assert.equal(upstream.sockets.size, 4);

  // Garbage in the files is reported, not served, and does not cut anyone either.
  const unusable = () => logs.filter((l) => /TLS certificate files unusable/.test(l.msg)).length;
  const before = unusable();
  writeFileSync(certFile, 'not a certificate');
  await until(() => unusable() > before, 'the garbage to be reported');
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(second.certFile));
  assert.equal((await echo(tunnels[0]!.ws!, 'still')).toString(), 'still');
});
