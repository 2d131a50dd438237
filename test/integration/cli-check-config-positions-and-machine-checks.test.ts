// check-config: YAML positions, plain messages, every problem at once (the crossbar key rule
// included), and key files / variables / static realms that do not exist on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, runTsx } from '../support/cli.js';


test('check-config: YAML positions, plain messages, every problem at once, missing key file / variable / static realm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-check-'));
  const syntax = join(dir, 'syntax.yaml');
  writeFileSync(syntax, 'listen:\n  port: 1\n  port: 2\n');
  const s = await runTsx([main, 'check-config', '--config', syntax]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /line 3, column 3: YAML syntax: Map keys must be unique/);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, [
    'upstream: {}',
    'defaults:',
    '  onNotReady: wait',
    'readiness:',
    '  sources:',
    '    - type: crossbar',
    '      url: ws://master:9000/ws',
    '      node: ${NODE}',
  ].join('\n'));
  const b = await runTsx([main, 'check-config', '--config', bad], { NODE: '' });
  assert.equal(b.code, 1);
  assert.match(b.stderr, /upstream\.url \(line 1, column 11\): is required but missing/);
  assert.match(b.stderr, /defaults\.onNotReady \(line 3, column 15\): must be one of queue, reject, pass \(got the text "wait"\)/);
  assert.match(b.stderr, /readiness\.sources\.0\.node \(line 8, column 13\): environment variable NODE is set but empty/);
  assert.match(b.stderr, /readiness\.sources\.0\.authid \(line 6, column 7\): is required but missing/);
  assert.match(b.stderr, /readiness\.sources\.0\.privateKeyFile \(line 6, column 7\): give exactly one of privateKeyFile or privateKeyEnv/, 'the cross-key rule comes with the other problems');
  assert.doesNotMatch(b.stderr, /expected string, received undefined/);

  const machine = join(dir, 'machine.yaml');
  writeFileSync(machine, [
    'upstream: { url: "http://127.0.0.1:8081" }',
    'realms: [{ name: realm1 }]',
    'readiness:',
    '  sources:',
    '    - { type: crossbar, url: "ws://m:9000/ws", authid: a, node: n, webcluster: w, privateKeyFile: /nonexistent/realmgate.priv }',
    '    - { type: crossbar, name: second, url: "ws://m:9000/ws", authid: a, node: n, webcluster: w, privateKeyEnv: RG_TEST_UNSET_KEY }',
    '    - { type: static, ready: [realm1, realm9] }',
  ].join('\n'));
  const m = await runTsx([main, 'check-config', '--config', machine], { RG_TEST_UNSET_KEY: undefined });
  assert.equal(m.code, 1, m.stdout);
  assert.match(m.stderr, /3 problems/);
  assert.match(m.stderr, /readiness\.sources\.0\.privateKeyFile \(line 5, column \d+\): cannot read private key file \/nonexistent\/realmgate\.priv: ENOENT/);
  assert.match(m.stderr, /readiness\.sources\.1\.privateKeyEnv \(line 6, column \d+\): private key from env RG_TEST_UNSET_KEY is invalid: the variable is unset or empty/);
  assert.match(m.stderr, /readiness\.sources\.2\.ready\.1 \(line 7, column \d+\): realm "realm9" is not in realms\[\]/);
});
