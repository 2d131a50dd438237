import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectManagement } from '../../src/crossbar/management-client.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/logger.js';
import { ErrorCodes, isRealmgateError } from '../../src/errors.js';
import { startMaster } from '../support/master-fixture.js';

test('the management client sends HELLO as crossbar-facts §1 asks and maps refusals to AUTH_FAILED', async (t) => {
  const { master, key, url } = await startMaster(t);
  const opts = { url, realm: 'default', authid: 'realmgate', authrole: 'owner', key, callTimeoutMs: 5000, logger: silentLogger(), clock: systemClock };
  const session = await connectManagement(opts);
  t.after(() => session.destroy());
  const hello = master.hellos.at(-1);
  assert.equal(hello?.realm, 'default');
  assert.deepEqual(hello?.details.authmethods, ['cryptosign']);
  assert.equal(hello?.details.authid, 'realmgate');
  assert.equal(hello?.details.authrole, 'owner');
  assert.deepEqual(hello?.details.authextra, { pubkey: key.publicKeyHex, channel_binding: null });

  // UUIDs travel as strings; the result is the single positional value.
  assert.deepEqual(await session.call('crossbarfabriccenter.remote.proxy.get_proxy_routes', ['4a3b2c1d-0000-4000-8000-000000000001', 'cpw-9fbe067c-0']), []);
  await assert.rejects(session.call('crossbarfabriccenter.remote.node.get_worker', ['4a3b2c1d-0000-4000-8000-000000000001', 'cpw-nope-0']), (e) =>
    isRealmgateError(e, ErrorCodes.SOURCE_FAILED) && (e.details as { error: string }).error === 'crossbar.error.no_such_worker');
  await assert.rejects(session.call('crossbarfabriccenter.mrealm.get_node', [42]), (e) => (e as { details: { error: string } }).details.error === 'wamp.error.invalid_argument');
  await session.close();
  await session.close();

  await assert.rejects(connectManagement({ ...opts, authrole: 'admin' }), (e) => isRealmgateError(e, ErrorCodes.AUTH_FAILED) && /no_such_role/.test(e.message));
  await assert.rejects(connectManagement({ ...opts, url: url.replace(/:\d+\//, ':1/') }), (e) => isRealmgateError(e, ErrorCodes.SOURCE_FAILED) && /unreachable/.test(e.message));
});
