import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCryptosignKey } from '../../src/crossbar/cryptosign.js';
import { createCrossbarSource } from '../../src/readiness/crossbar-source.js';
import { SimulatedMaster } from '../../src/simulator/master-api.js';
import { crossbarConfig, RecordingSink, sourceContext, WC_OID } from '../support/master-fixture.js';

// The default node authid is the host name: dots inside must not mis-split topics or URIs.
const NODE = 'edge1.example.com';
const SIBLING = 'edge1.example'; // a prefix of NODE, on the same webcluster
const W = ['cpw-9fbe067c-0', 'cpw-9fbe067c-1'];

test('a dotted node authid: route events reach the source (and a sibling prefix node\'s do not), remote calls work', async (t) => {
  const key = generateCryptosignKey();
  const master = new SimulatedMaster({
    superusers: [key.publicKeyHex],
    nodes: [{ authid: NODE, oid: '4a3b2c1d-0000-4000-8000-00000000000a' }, { authid: SIBLING, oid: '4a3b2c1d-0000-4000-8000-00000000000b' }],
    webclusters: [{ name: 'cluster1', oid: WC_OID, members: [{ nodeAuthid: NODE, parallel: 2 }, { nodeAuthid: SIBLING, parallel: 2 }] }],
    arealms: [{ name: 'realm1', oid: 'aaaaaaa0-0000-4000-8000-000000000000', webclusterOid: WC_OID, status: 'RUNNING' }],
  });
  t.after(() => master.destroy());
  const { url } = await master.listen();
  // Polls 10 min apart: only events can make the realm ready within the test.
  const cfg = crossbarConfig(url, 'RG_KEY', { node: NODE, pollIntervalMs: 600_000 });
  const src = createCrossbarSource(cfg, sourceContext(), { env: { RG_KEY: key.seedHex } });
  t.after(() => src.destroy());
  const sink = new RecordingSink();
  src.start(sink);
  await sink.waitFor((s) => s.up && s.lastDetail.nodeState === 'online', 'first poll through the dotted node');
  assert.equal(sink.ready('realm1'), false);

  for (const w of W) master.startRoute(SIBLING, w, 'realm1');
  master.startRoute(NODE, W[0]!, 'realm1');
  await sink.waitFor((s) => (s.lastDetail.workers as { routes: string[] | null }[])[0]?.routes?.includes('realm1') === true, 'worker 0 event');
  assert.equal(sink.ready('realm1'), false, 'the sibling node\'s events were not taken for ours');
  master.startRoute(NODE, W[1]!, 'realm1');
  await sink.waitFor((s) => s.ready('realm1'), 'ready from the dotted node\'s events');
  await src.close();
});
