// fox-wamp behind startFoxRouter: autobahn-js (json) and wampy do register + call through it, a
// realm it was not told about is refused like Crossbar refuses it, and a dotted realm name (which
// crashes bare fox-wamp) is refused without harm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFoxRouter } from '../support/fox-router.js';
import { autobahnJoin, JoinRefused, pingPong, rawHello, wampyJoin } from '../support/wamp-clients.js';

test('register + call through fox-wamp; unknown and dotted realms get no_such_realm', async (t) => {
  const fox = await startFoxRouter({ realms: ['realm1'] });
  t.after(() => fox.close());
  assert.match(fox.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws$/);

  const callee = await autobahnJoin(fox.url, 'realm1', 'json');
  t.after(() => callee.close());
  await callee.session.register('com.example.add', (args) => (args[0] as number) + (args[1] as number));

  const wampy = await wampyJoin(fox.url, 'realm1');
  t.after(() => wampy.disconnect().catch(() => undefined));
  assert.deepEqual((await wampy.call('com.example.add', [2, 40])).argsList, [42]);
  await wampy.register('com.example.hello', () => ({ argsList: ['hi'] }));
  assert.equal(await callee.session.call('com.example.hello'), 'hi');

  for (const realm of ['realm2', 'com.example.app']) {
    const { reply, ws } = await rawHello(fox.url, 'wamp.2.json', realm);
    t.after(() => ws.terminate());
    assert.deepEqual(reply, [3, { message: `no realm "${realm}" exists on this router` }, 'wamp.error.no_such_realm']);
    await pingPong(ws); // left open, as Crossbar leaves it
    ws.close();
  }
  await assert.rejects(autobahnJoin(fox.url, 'com.example.app'), (err: unknown) => err instanceof JoinRefused && err.reason === 'wamp.error.no_such_realm');

  // fox is still alive and routing after all that.
  assert.deepEqual((await wampy.call('com.example.add', [1, 1])).argsList, [2]);
});

test('startFoxRouter refuses realm names fox-wamp cannot serve', async () => {
  await assert.rejects(startFoxRouter({ realms: ['com.example'] }), /cannot serve realm names/);
});
