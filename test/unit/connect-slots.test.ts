import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectSlots } from '../../src/proxy/connect-slots.js';
import { ErrorCodes, isRetryableUpstreamError, RealmgateError } from '../../src/errors.js';

test('connect slots: oldest waiter first, a cancelled one skipped, a waiter past its timeout fails retryable', async () => {
  const slots = new ConnectSlots(1, 50);
  const started: string[] = [];
  const failed: string[] = [];
  const take = (id: string) => slots.take(() => started.push(id), (e) => failed.push(`${id}:${e.code}`));
  take('a');
  take('b');
  const cancelC = take('c');
  take('d');
  assert.deepEqual([started, slots.inFlight, slots.waiting], [['a'], 1, 3]);
  cancelC();
  cancelC();
  slots.give();
  await turn();
  assert.deepEqual([started, slots.waiting], [['a', 'b'], 1]);
  slots.give();
  await turn();
  assert.deepEqual(started, ['a', 'b', 'd']);
  // The slot is busy (d); e waits past its timeout and fails as a refused connect would.
  // (The slot timer is unref'd, as in the gate: this interval keeps the test's loop alive meanwhile.)
  const keepAlive = setInterval(() => {}, 1000);
  const err = await new Promise<RealmgateError>((resolve) => slots.take(() => assert.fail('e must not start'), resolve));
  clearInterval(keepAlive);
  assert.equal(err.code, ErrorCodes.UPSTREAM_CONNECT);
  assert.ok(isRetryableUpstreamError(err));
  assert.deepEqual([failed, slots.waiting, slots.inFlight], [[], 0, 1]);
  slots.give();
  assert.equal(slots.inFlight, 0);
});

test('connect slots: freed slots are refilled together once the loop turn is over, never past max, oldest first', async () => {
  const slots = new ConnectSlots(4, 60_000);
  const started: number[] = [];
  const cancels = Array.from({ length: 10 }, (_, i) => slots.take(() => started.push(i), () => assert.fail('no timeout here')));
  assert.deepEqual([started, slots.inFlight, slots.waiting], [[0, 1, 2, 3], 4, 6]);
  slots.give();
  slots.give();
  slots.give();
  // Answers of one turn: nobody starts inside them.
  assert.deepEqual([started.length, slots.inFlight, slots.waiting], [4, 1, 6]);
  cancels[5]!();
  await turn();
  assert.deepEqual([started, slots.inFlight, slots.waiting], [[0, 1, 2, 3, 4, 6, 7], 4, 2]);
  // A newcomer while others wait goes behind them, even with a slot about to free.
  slots.give();
  slots.take(() => started.push(10), () => assert.fail('no timeout here'));
  await turn();
  assert.deepEqual([started, slots.inFlight, slots.waiting], [[0, 1, 2, 3, 4, 6, 7, 8], 4, 2]);
  for (let i = 0; i < 4; i++) slots.give();
  await turn();
  assert.deepEqual([started, slots.inFlight, slots.waiting], [[0, 1, 2, 3, 4, 6, 7, 8, 9, 10], 2, 0]);
  slots.give();
  slots.give();
  await turn();
  assert.deepEqual([slots.inFlight, slots.waiting], [0, 0]);
});

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
