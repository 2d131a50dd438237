import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';
import { whileMainBlocked } from '../support/blocked-main.js';
import { until } from '../support/wait.js';

test('/health/live answers 503 stalled once the main loop has not run for admin.livenessStallMs, and 200 again after', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, {
    upstream: { url: upstream.url }, realms: [{ name: 'realm1' }],
    admin: { host: '127.0.0.1', port: 0, livenessStallMs: 300 },
  });

  const { woken, result } = await whileMainBlocked<{ first: { status: number; body: string }; stalled: { status: number; body: string } | null }>(`
    const first = await get(data.url);
    // Probe until the stall is reported (bounded: 500 probes).
    for (let i = 0; i < 500; i++) {
      const a = await get(data.url);
      if (a.status !== 200) return done({ first, stalled: a });
      await new Promise((r) => setTimeout(r, 20));
    }
    done({ first, stalled: null });
  `, { url: `${adminUrl}/health/live` }, 30_000);

  assert.equal(woken, true, 'the stall was reported while the main loop was blocked');
  assert.equal(result.first.status, 200, 'a loop blocked for less than the stall limit is alive');
  assert.ok(result.stalled, 'a 503 came');
  assert.equal(result.stalled.status, 503);
  const body = JSON.parse(result.stalled.body) as { status: string; stalledForMs: number; message: string };
  assert.equal(body.status, 'stalled');
  assert.ok(body.stalledForMs > 300, `stalledForMs ${body.stalledForMs}`);
  assert.match(body.message, /livenessStallMs 300/);

  await until(async () => (await fetch(`${adminUrl}/health/live`)).status === 200, 'alive again once the loop runs');
});
