import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSecurity } from '../../reliability/security.js';

test('admin port separate, no secrets in trace logs, oversize heads and HELLOs refused early', async () => {
  const rows = await runSecurity();
  assert.equal(rows.length, 3);
  for (const r of rows) assert.ok(r.pass, `${r.check}: ${JSON.stringify(r.figures)}`);
});
