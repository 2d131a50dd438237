// Through the simulated proxy, subscribers get events (exact, prefix, wildcard) from peers and from
// the router itself, and a peer sending garbage gets ABORT protocol_violation + close 1002 while
// every other session carries on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SimulatedProxyTransport } from '../../src/simulator/proxy-transport.js';
import { decodeFirstMessage } from '../../src/wamp/hello.js';
import { parseSubprotocol } from '../../src/wamp/serializers.js';
import { autobahnJoin, rawHello, wampyJoin } from '../support/wamp-clients.js';

test('pub/sub across clients and serializers; garbage from one peer never disturbs the others', async (t) => {
  const proxy = new SimulatedProxyTransport();
  t.after(() => proxy.destroy());
  const { wsUrl } = await proxy.listen();
  proxy.startRoute('realm1');

  const sub = await autobahnJoin(wsUrl, 'realm1', 'msgpack');
  t.after(() => sub.close());
  const got: string[] = [];
  let notify: () => void = () => undefined;
  const record = (label: string) => (args: unknown[], _kw: Record<string, unknown>, details: { topic?: string }) => {
    got.push(`${label}:${String(args[0])}:${details.topic ?? ''}`);
    notify();
  };
  await sub.session.subscribe('com.app.news', record('exact'));
  await sub.session.subscribe('com.app.', record('prefix'), { match: 'prefix' });
  await sub.session.subscribe('com..news', record('wild'), { match: 'wildcard' });
  const waitFor = (n: number) => new Promise<void>((resolve) => {
    notify = () => { if (got.length >= n) resolve(); };
    notify();
  });

  const pub = await wampyJoin(wsUrl, 'realm1');
  t.after(() => pub.disconnect().catch(() => undefined));
  await pub.publish('com.app.news', ['a'], { acknowledge: true });
  await waitFor(3);
  proxy.router.publish('realm1', 'com.app.other', ['b']);
  await waitFor(4);
  assert.deepEqual(got.sort(), ['exact:a:com.app.news', 'prefix:a:com.app.news', 'prefix:b:com.app.other', 'wild:a:com.app.news']);

  // A joined raw peer sends bytes that are not CBOR: ABORT protocol_violation, then close 1002.
  const { reply, ws } = await rawHello(wsUrl, 'wamp.2.cbor', 'realm1');
  t.after(() => ws.terminate());
  assert.equal(reply[0], 2);
  const sp = parseSubprotocol('wamp.2.cbor')!;
  const abort = new Promise<unknown[]>((resolve) => ws.once('message', (d: Buffer) => resolve(decodeFirstMessage(sp, d))));
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
  const abortMsg = await abort;
  assert.equal(abortMsg[0], 3);
  assert.equal(abortMsg[2], 'wamp.error.protocol_violation');
  assert.equal(await closed, 1002);

  // A second raw peer speaks CALL before HELLO: same treatment.
  const early = new WebSocket(wsUrl, ['wamp.2.json']);
  t.after(() => early.terminate());
  await new Promise((resolve) => early.once('open', resolve));
  const earlyClosed = new Promise<number>((resolve) => early.once('close', resolve));
  early.send(JSON.stringify([48, 1, {}, 'com.x']));
  assert.equal(await earlyClosed, 1002);

  // Everyone else is still served.
  await pub.publish('com.app.news', ['c'], { acknowledge: true });
  await waitFor(7);
  assert.equal(got.filter((g) => g.includes(':c:')).length, 3);
  assert.equal(proxy.router.stats().sessions, 2);
});
