import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { parseUpstream } from '../../src/proxy/tunnel.js';
import { parseRawSocketUpstream } from '../../src/rawsocket/upstream.js';

const base = (extra: string) => `upstream: { url: http://10.0.0.5:8081${extra} }\nreadiness: { sources: [ { type: static, ready: [realm1] } ] }\n`;

test('upstream.rawsocketUrl defaults to the upstream host and port (a universal transport); tcp://host:port overrides it', () => {
  const c = parseConfig(base(''), { env: {} });
  assert.equal(c.upstream.rawsocketUrl, undefined);
  assert.equal(c.listen.rawsocket, undefined);
  const up = parseUpstream(c.upstream.url, 1000);
  assert.deepEqual(parseRawSocketUpstream(undefined, up), { host: '10.0.0.5', port: 8081, tls: false, connectTimeoutMs: 1000 });
  const c2 = parseConfig(base(', rawsocketUrl: "tcp://[::1]:8082"'), { env: {} });
  assert.deepEqual(parseRawSocketUpstream(c2.upstream.rawsocketUrl, up), { host: '::1', port: 8082, tls: false, connectTimeoutMs: 1000 });
  assert.equal(parseConfig(`listen: { rawsocket: 9000 }\n${base('')}`, { env: {} }).listen.rawsocket, 9000);
});

test('a rawsocketUrl that is not tcp://host:port, and a bad listen.rawsocket, are reported with their paths', () => {
  for (const bad of ['http://x:1', 'tcp://x', 'tcp://x:1/path', 'nonsense']) {
    assert.throws(() => parseConfig(`listen: { rawsocket: 70000 }\n${base(`, rawsocketUrl: "${bad}"`)}`, { env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = JSON.stringify(err);
      assert.match(text + err.message, /upstream\.rawsocketUrl/, bad);
      assert.match(text + err.message, /listen\.rawsocket/, bad);
      return true;
    });
  }
});
