import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../src/demo/run.js';

const VERDICT = /^direct: (\d+) of (\d+) refused \(no_such_realm\) · through realmgate: (\d+) of (\d+) refused, max wait (\d+\.\d) s$/m;

test('demo --transport rawsocket: the incident over RawSocket — direct autobahn-js clients refused, none through realmgate', async () => {
  let out = '';
  const code = await runDemo({ clients: 6, durationMs: 3000, transport: 'rawsocket', write: (s) => (out += s) });
  assert.equal(code, 0, out);
  assert.match(out, /proxy transport {2}tcp:\/\/127\.0\.0\.1:\d+/);
  assert.match(out, /autobahn-js RawSocket clients/);
  const m = VERDICT.exec(out);
  assert.ok(m, `a verdict line in:\n${out}`);
  const [, directRefused, directOf, gatedRefused, gatedOf, maxWait] = m;
  assert.equal(Number(directOf), 6);
  assert.equal(Number(gatedOf), 6);
  assert.equal(Number(gatedRefused), 0, out);
  assert.ok(Number(directRefused) > 0, `some direct RawSocket clients refused:\n${out}`);
  assert.ok(Number(maxWait) > 0, 'gated clients were held');
});

test('demo --transport rawsocket with a serializer autobahn-js cannot speak over RawSocket: exit 1', async () => {
  assert.equal(await runDemo({ transport: 'rawsocket', serializer: 'cbor', write: () => {} }), 1);
  assert.equal(await runDemo({ transport: 'carrier-pigeon', write: () => {} }), 1);
});
