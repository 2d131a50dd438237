import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCryptosignKey } from '../../src/crossbar/cryptosign.js';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { capturingLogger, crossbarConfig, RecordingSink, sourceContext, startMaster } from '../support/master-fixture.js';

test('a key the master does not know: fail() with a clear auth reason, no key material in logs', async (t) => {
  const { master, url } = await startMaster(t);
  const wrong = generateCryptosignKey();
  const { logger, lines } = capturingLogger();
  const cfg = crossbarConfig(url, 'RG_KEY', { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  const src = createCrossbarSource(cfg, sourceContext(logger), { env: { RG_KEY: wrong.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);

  await sink.waitFor((s) => s.failures().length >= 3, 'repeated auth failures');
  const err = sink.failures()[0];
  assert.ok(isRealmgateError(err, ErrorCodes.AUTH_FAILED), String(err));
  assert.match((err as Error).message, /refused the session \(wamp\.error\.not_authorized\)/);
  assert.equal(sink.up, false);
  assert.equal(master.calls.length, 0, 'no procedure reachable without a session');
  await src.close();

  const text = lines.join('');
  assert.match(text, /not_authorized/, 'the reason is logged');
  assert.equal(text.includes(wrong.seedHex), false, 'seed never logged');
  assert.equal(text.includes(wrong.seedHex.slice(0, 16)), false, 'no part of the seed logged');
  // Repeated failures are rate-limited: one warning, not one per attempt.
  const warns = lines.filter((l) => /"level":40/.test(l) && /crossbar master/.test(l));
  assert.equal(warns.length, 1, `expected one warn line, got ${warns.length}`);
});
