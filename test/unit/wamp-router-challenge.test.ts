// WampRouter's onHello hook drives CHALLENGE/AUTHENTICATE (as the simulated master's cryptosign
// needs), assigns a realm to a HELLO without one, and answers GOODBYE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { WampRouter, type HelloDecision } from '../../src/simulator/wamp-router.js';
import { decodeFirstMessage } from '../../src/wamp/hello.js';
import { encodeMessage, parseSubprotocol } from '../../src/wamp/serializers.js';

const sp = parseSubprotocol('wamp.2.cbor')!;

async function open(url: string): Promise<{ send(msg: unknown[]): void; next(): Promise<unknown[]>; closed: Promise<number>; ws: WebSocket }> {
  const ws = new WebSocket(url, [sp.protocol]);
  const inbox: unknown[][] = [];
  const waiters: Array<(m: unknown[]) => void> = [];
  ws.on('message', (d: Buffer) => {
    const m = decodeFirstMessage(sp, d);
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await new Promise((resolve) => ws.once('open', resolve));
  return {
    ws,
    closed,
    send: (msg) => ws.send(encodeMessage(sp, msg)),
    next: () => new Promise((resolve) => { const m = inbox.shift(); if (m) resolve(m); else waiters.push(resolve); }),
  };
}

test('challenge → authenticate → welcome with an assigned realm; a bad signature is aborted and closed', async (t) => {
  const seen: Array<string | null> = [];
  const router = new WampRouter({
    onHello: (ctx): HelloDecision => {
      seen.push(ctx.realm);
      return {
        challenge: { method: 'cryptosign', extra: { challenge: 'ab'.repeat(32) } },
        authenticate: async (signature) => signature === 'good'
          ? { welcome: { authid: 'node1', authrole: 'node', authmethod: 'cryptosign', realm: 'default' } }
          : { abort: { reason: 'wamp.error.not_authorized', message: 'signed message has invalid signature' } },
      };
    },
  });
  t.after(() => router.destroy());
  const { url } = await router.listen({ path: '/ws' });
  assert.match(url, /\/ws$/);

  const good = await open(url);
  t.after(() => good.ws.terminate());
  good.send([1, null, { roles: {}, authmethods: ['cryptosign'] }]);
  assert.deepEqual(await good.next(), [4, 'cryptosign', { challenge: 'ab'.repeat(32) }]);
  good.send([5, 'good', {}]);
  const welcome = await good.next();
  assert.equal(welcome[0], 2);
  assert.equal((welcome[2] as Record<string, unknown>)['realm'], 'default');
  assert.equal((welcome[2] as Record<string, unknown>)['authrole'], 'node');
  good.send([6, {}, 'wamp.close.normal']);
  assert.deepEqual(await good.next(), [6, {}, 'wamp.close.goodbye_and_out']);

  const bad = await open(url);
  t.after(() => bad.ws.terminate());
  bad.send([1, 'default', { roles: {} }]);
  await bad.next();
  bad.send([5, 'bad', {}]);
  assert.deepEqual(await bad.next(), [3, { message: 'signed message has invalid signature' }, 'wamp.error.not_authorized']);
  assert.equal(await bad.closed, 1000);
  assert.deepEqual(seen, [null, 'default']);
  assert.deepEqual({ ...router.stats(), openConnections: undefined }, { sessions: 0, hellos: 2, welcomes: 1, aborts: 1, connections: 2, openConnections: undefined });
});
