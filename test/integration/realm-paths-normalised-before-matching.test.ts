import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startGate } from '../support/gate.js';
import { rawExchange, upgradeRequest } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';

test('encoded, doubled and dotted spellings of a realm path are held like the path itself; broken ones get 400', async (t) => {
  const upstream = await startEchoUpstream(t);
  const g = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1', paths: ['/ws/realm1'] }], unknownRealm: 'pass' });
  const spellings = ['/ws/realm1', '/ws/%72ealm1', '/ws//realm1', '/ws/./realm1', '/ws/x/../realm1', '//ws/realm1/', '/ws/realm1/.', '/ws/%2e/realm1'];
  const socks: net.Socket[] = [];
  t.after(() => socks.forEach((s) => s.destroy()));
  for (const path of spellings) {
    const s = net.connect(g.port, '127.0.0.1');
    s.on('error', () => {});
    socks.push(s);
    s.write(upgradeRequest(path));
  }
  await until(() => g.gate.admission.depth('realm1') === spellings.length, 'every spelling held for realm1');
  assert.equal(upstream.upgrades.length, 0, 'none passed through as an unknown realm');
  for (const bad of ['/ws/%zz', '/ws/%2Frealm1', '/../ws/realm1']) {
    const { text } = await rawExchange(g.port, upgradeRequest(bad));
    assert.match(text, /^HTTP\/1\.1 400 /, bad);
  }
});
