import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { crossbarConfig, RecordingSink, sourceContext, startMaster } from '../support/master-fixture.js';

test('an unset key variable is reported (KEY_INVALID) and retried, then works once it appears', async (t) => {
  const { master, key, url } = await startMaster(t);
  const env: NodeJS.ProcessEnv = {};
  const cfg = crossbarConfig(url, 'RG_KEY', { pollIntervalMs: 50, reconnect: { initialDelayMs: 10, maxDelayMs: 40 } });
  const src = createCrossbarSource(cfg, sourceContext(), { env });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.failures().length >= 2, 'repeated key failures');
  assert.ok(sink.failures().every((e) => isRealmgateError(e, ErrorCodes.KEY_INVALID)));
  assert.match((sink.failures()[0] as Error).message, /env RG_KEY/);
  assert.equal(master.hellos.length, 0, 'no connection attempted without a key');

  // A secret mounted late (Kubernetes) is picked up on the next attempt.
  env.RG_KEY = key.seedHex;
  await sink.waitFor((s) => s.up, 'up once the key exists');
  await src.close();
});
