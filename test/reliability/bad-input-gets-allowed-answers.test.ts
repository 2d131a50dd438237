import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badInputRows, runBadInputCheck } from '../../reliability/bad-input-check.js';

// The npm-test size of the bad-input check: 4 × 500 seeded inputs against a real gate process.
test('2,000 generated bad inputs: no crash, every answer allowed, fds back to baseline', async () => {
  const r = await runBadInputCheck({ perClass: 500, concurrency: 25, seed: 7, deadlineMs: 60_000 });
  assert.equal(r.sent, 2000);
  for (const c of r.classes) assert.equal(c.disallowed, 0, `${c.kind}: ${JSON.stringify(c.answers)} ${JSON.stringify(c.examples)}`);
  assert.equal(r.crashes, 0);
  assert.ok(r.fdAfter <= r.fdBefore, `fds ${r.fdBefore} → ${r.fdAfter}`);
  // Each class reached the part of the gate it is meant for (not all bounced at the first check).
  const kinds = (k: string) => Object.keys(r.classes.find((c) => c.kind === k)!.answers);
  assert.ok(kinds('upgrade').some((k) => k === 'http:503'), 'some upgrades reached admission');
  assert.ok(kinds('frames').some((k) => k.startsWith('ws-close:')), 'frames reached the frame reader');
  assert.ok(kinds('hello').includes('abort') && kinds('hello').includes('welcome'), 'HELLOs were refused and admitted');
  assert.ok(badInputRows(r).every((x) => x.pass));
});
