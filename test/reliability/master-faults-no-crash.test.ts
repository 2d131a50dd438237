import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMasterFaults } from '../../reliability/faults-master.js';

test('master down at start, killed and restarted, routes vanishing: no crash, holds end at their deadline', async () => {
  const rows = await runMasterFaults({ queueTimeoutMs: 3000 });
  assert.deepEqual(rows.map((r) => r.check), ['master down at start', 'master killed mid-run and restarted', 'routes vanishing']);
  for (const r of rows) assert.ok(r.pass, `${r.check}: ${JSON.stringify(r.figures)}`);
});
