import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnswer } from '../../src/readiness/http-source.js';

test('a control plane answer with a huge or newline-carrying realm key gives a short one-line error', () => {
  const key = `evil\n{"level":60,"msg":"forged"}${'x'.repeat(100_000)}`;
  assert.throws(() => parseAnswer(JSON.stringify({ realms: { [key]: 'yes' } }), 'http://cp/realms'), (err: Error) => {
    assert.ok(err.message.length < 300, `length ${err.message.length}`);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
});
