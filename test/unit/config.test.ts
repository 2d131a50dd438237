import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, redactConfig } from '../../src/config/load.js';

const minimal = 'upstream: { url: http://127.0.0.1:8081 }\nreadiness: { sources: [ { type: static, ready: [realm1] } ] }\n';

test('defaults fill every key of the contract', () => {
  const c = parseConfig(minimal, { env: {} });
  assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8080, maxConnections: 20000, headersTimeoutMs: 10000 });
  assert.deepEqual(c.limits, { preAdmissionBytes: 128 * 1024 * 1024, connectionOverheadBytes: 10240 });
  assert.deepEqual(c.admin, { host: '0.0.0.0', port: 9090, requireToken: false, livenessStallMs: 10_000 });
  assert.deepEqual(c.defaults, { onNotReady: 'queue', queueTimeoutMs: 30000, maxQueued: 1000, retryAfterSeconds: 5, releasePerSecond: 0 });
  assert.equal(c.unknownRealm, 'pass');
  assert.deepEqual(c.realmFrom, ['path', 'query', 'hello']);
  assert.equal(c.maxQueuedTotal, 10000);
  assert.deepEqual(c.hello, { timeoutMs: 10000, maxBytes: 65536, readmitOnAbort: true, readmitMaxDelayMs: 2000 });
  assert.equal(c.readiness.combine, 'all');
  assert.equal(c.readiness.failOpenAfterMs, null);
  assert.deepEqual(c.shutdown, { delayMs: 5000, drainTimeoutMs: 30000 });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.defaults), 'the config is frozen');
});

test('every problem is reported with its path, unknown keys included', () => {
  const text = `
listen: { port: 70000, hots: x }
upstream: { url: ftp://x }
defaults: { onNotReady: wait }
realmFrom: [path, cookie]
readiness:
  sources:
    - { type: http, url: not-a-url }
    - { type: crossbar, url: ws://m:9000/ws, authid: a, node: n, webcluster: w }
    - { type: nope }
`;
  try {
    parseConfig(text, { env: {} });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const paths = err.problems.map((p) => p.path);
    for (const p of ['listen.port', 'listen.hots', 'upstream.url', 'defaults.onNotReady', 'realmFrom.1', 'readiness.sources.0.url', 'readiness.sources.2.type']) {
      assert.ok(paths.includes(p), `reports ${p} (got ${paths.join(', ')})`);
    }
    assert.ok(err.problems.some((p) => p.path === 'listen.hots' && /unknown key/.test(p.message)), 'names the unknown key');
    assert.equal(err.code, 'REALMGATE_ERR_CONFIG_INVALID');
  }
});

test('cross-field problems: duplicate realms, shared paths, both key sources', () => {
  const text = `
upstream: { url: http://127.0.0.1:1 }
realms: [ { name: a, paths: [/x] }, { name: a }, { name: b, paths: [/x] } ]
readiness: { sources: [ { type: crossbar, url: ws://m/ws, authid: a, node: n, webcluster: w, privateKeyFile: /k, privateKeyEnv: K } ] }
`;
  assert.throws(() => parseConfig(text, { env: {} }), (err: ConfigError) => {
    const msgs = err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(msgs, /readiness\.sources\.0\.privateKeyFile: give exactly one/);
    assert.match(msgs, /realms\.1\.name: duplicate realm "a"/, 'cross-field problems come with schema problems');
    return true;
  });
  const text2 = `
upstream: { url: http://127.0.0.1:1 }
realms: [ { name: a, paths: [/x] }, { name: a }, { name: b, paths: [/x] } ]
readiness: { sources: [ { type: static } ] }
`;
  assert.throws(() => parseConfig(text2, { env: {} }), (err: ConfigError) => {
    const msgs = err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(msgs, /realms\.1\.name: duplicate realm "a"/);
    assert.match(msgs, /realms\.2\.paths\.0: path "\/x" already belongs to realm "a"/);
    return true;
  });
});

test('${VAR} substitution, defaults, typed whole values, and missing variables reported', () => {
  const text = `
listen:
  port: \${PORT}
upstream:
  url: http://\${UP_HOST:-127.0.0.1}:8081
readiness: { sources: [ { type: crossbar, url: ws://m:9000/ws, authid: gate, node: "\${NODE_AUTHID}", webcluster: cl1, privateKeyEnv: KEY } ] }
`;
  const c = parseConfig(text, { env: { PORT: '8181', NODE_AUTHID: 'node-7' } });
  assert.equal(c.listen.port, 8181);
  assert.equal(c.upstream.url, 'http://127.0.0.1:8081');
  assert.equal(c.readiness.sources[0]!.type === 'crossbar' && c.readiness.sources[0]!.node, 'node-7');
  assert.throws(() => parseConfig(text, { env: {} }), (err: ConfigError) => {
    assert.deepEqual(err.problems.filter((p) => /environment variable/.test(p.message)).map((p) => p.path), ['listen.port', 'readiness.sources.0.node']);
    return true;
  });
});

test('JSON configs and YAML syntax errors', () => {
  const c = parseConfig(JSON.stringify({ upstream: { url: 'http://127.0.0.1:1' }, readiness: { sources: [{ type: 'static' }] } }), { env: {} });
  assert.equal(c.upstream.url, 'http://127.0.0.1:1');
  assert.throws(() => parseConfig('upstream: [unclosed', { env: {} }), /YAML/);
  assert.throws(() => parseConfig('- a\n- b\n', { env: {} }), /mapping/);
  assert.throws(() => parseConfig('a: 1\na: 2\n', { env: {} }), /YAML/, 'duplicate keys are errors');
});

test('redaction hides header values and URL passwords', () => {
  const c = parseConfig(`
upstream: { url: http://127.0.0.1:1 }
readiness: { sources: [ { type: http, url: "http://user:secret@127.0.0.1:7000/realms", headers: { Authorization: "Bearer abc" } } ] }
`, { env: {} });
  const text = JSON.stringify(redactConfig(c));
  assert.doesNotMatch(text, /secret|Bearer abc/);
  assert.match(text, /\[redacted\]/);
});

test('a substituted value never breaks loading: YAML-ish text stays text, numbers fit string keys', () => {
  const text = `
upstream:
  url: http://127.0.0.1:1
readiness:
  sources:
    - type: crossbar
      url: ws://m:9000/ws
      authid: \${AUTHID}
      privateKeyEnv: KEY
      node: \${NODE_AUTHID}
      webcluster: \${WC}
`;
  const c = parseConfig(text, { env: { AUTHID: '@cb-node', NODE_AUTHID: '123', WC: 'a: b: c' } });
  const src = c.readiness.sources[0]!;
  assert.ok(src.type === 'crossbar');
  assert.equal(src.authid, '@cb-node');
  assert.equal(src.node, '123');
  assert.equal(src.webcluster, 'a: b: c');
});

test('sources whose resolved names collide are a config error', () => {
  const text = `
upstream: { url: http://127.0.0.1:1 }
readiness: { sources: [ { type: http, url: http://127.0.0.1:2/ }, { type: static, name: http } ] }
`;
  assert.throws(() => parseConfig(text, { env: {} }), /readiness\.sources\.1\.name \(line 3, column \d+\): duplicate source name "http"/);
});

test('crossbar node authid: dots accepted (host names), empty components refused with the reason; partial rule defaults to readmit', () => {
  const cfg = (node: string) => `
upstream: { url: http://127.0.0.1:1 }
readiness: { sources: [ { type: crossbar, url: ws://m/ws, authid: a, node: "${node}", webcluster: w, privateKeyEnv: K } ] }
`;
  const ok = parseConfig(cfg('edge1.example.com'), { env: {} });
  assert.equal((ok.readiness.sources[0] as { node: string }).node, 'edge1.example.com');
  assert.equal(ok.readiness.partial, 'readmit');
  assert.throws(() => parseConfig(cfg('edge1..example'), { env: {} }), (err: ConfigError) => {
    const msgs = err.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(msgs, /readiness\.sources\.0\.node: must be the node authid: dot-separated non-empty parts/);
    return true;
  });
});
