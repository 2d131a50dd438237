import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileLimit } from '../../src/fd-limit.js';
import { startGate } from '../support/gate.js';

const MSG = /^open-file limit below 2 x listen\.maxConnections/;

test('start warns once when the open-file limit cannot hold listen.maxConnections tunnels, and not when it can', async (t) => {
  const limit = openFileLimit();
  if (limit === undefined) return t.skip('no open-file limit to read here (not Linux, or unlimited)');
  const upstream = { url: 'http://127.0.0.1:9' };
  // maxConnections = the limit itself: two descriptors per tunnel can never fit.
  const over = await startGate(t, { upstream, listen: { host: '127.0.0.1', port: 0, maxConnections: limit } });
  const warned = over.logs.filter((l) => MSG.test(l.msg));
  assert.equal(warned.length, 1);
  assert.equal(warned[0]!.level, 40);
  assert.deepEqual([warned[0]!.openFileLimit, warned[0]!.needed, warned[0]!.tunnelsAtMost], [limit, 2 * limit + 1024, Math.floor(limit / 2)]);
  // A cap the limit holds.
  const fits = Math.floor((limit - 1024) / 2);
  if (fits < 1) return;
  const under = await startGate(t, { upstream, listen: { host: '127.0.0.1', port: 0, maxConnections: fits } });
  assert.equal(under.logs.filter((l) => MSG.test(l.msg)).length, 0);
});
