// needs: openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { echo } from '../support/ws-client.js';
import { connectWss, fileFingerprint, makeCa, makeLeaf, servedFingerprint, tempDir } from '../support/tls.js';

test('a reload that points listen.tls at other files serves them to new handshakes at once (no poll wait); open tunnels stay', async (t) => {
  const dir = tempDir();
  const ca = makeCa(dir);
  const first = makeLeaf(dir, ca, 'first');
  const second = makeLeaf(dir, ca, 'second');
  const upstream = await startEchoUpstream(t);
  const config = (leaf: { certFile: string; keyFile: string }) => ({
    listen: { host: '127.0.0.1', port: 0, tls: { ...leaf, watchIntervalMs: 3_600_000 } },
    admin: { host: '127.0.0.1', port: 0 },
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }],
    readiness: { combine: 'any' as const, sources: [{ type: 'static' as const, ready: ['realm1'] }] },
  });
  const { gate, port, logs } = await startGate(t, config(first));
  const tunnel = await connectWss(`wss://localhost:${port}/ws?realm=realm1`, ca.pem, 'wamp.2.json');
  t.after(() => tunnel.ws?.terminate());
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(first.certFile));

  const r = await gate.reload(parseConfig(JSON.stringify(config(second)), { env: {} }));
  assert.equal(r.applied, true);
  assert.ok(logs.some((l) => /TLS certificate reloaded/.test(l.msg)));
  assert.equal(await servedFingerprint(port, ca.pem), fileFingerprint(second.certFile));
  assert.equal((await echo(tunnel.ws!, 'kept')).toString(), 'kept');
});
