import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, redactConfig } from '../../src/config/load.js';

const base = 'upstream: { url: http://127.0.0.1:8081 }\nreadiness: { sources: [ { type: static } ] }\n';

test('admin token settings: short token, token with tokenFile, requireToken without a token are all reported; check-config hides the token', () => {
  assert.throws(() => parseConfig(`${base}admin: { token: short, tokenFile: /t, requireToken: true }\n`, { env: {} }), (err: ConfigError) => {
    const paths = err.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ['admin.token', 'admin.tokenFile']);
    return true;
  });
  assert.throws(() => parseConfig(`${base}admin: { requireToken: true }\n`, { env: {} }), /admin\.requireToken( \(line \d+, column \d+\))?: requireToken needs token or tokenFile/);
  const c = parseConfig(`${base}admin:\n  token: \${ADMIN_TOKEN}\n  requireToken: true\n`, { env: { ADMIN_TOKEN: 'from-env-0123456789' } });
  assert.equal(c.admin.token, 'from-env-0123456789');
  const shown = JSON.stringify(redactConfig(c));
  assert.ok(!shown.includes('from-env-0123456789'));
  assert.match(shown, /"token":"\[redacted\]"/);
});
