import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGate, type LogLine } from '../support/gate.js';
import { rawExchange } from '../support/raw-http.js';
import { startEchoUpstream } from '../support/upstream.js';
import { until } from '../support/wait.js';
import { connectWs, echo } from '../support/ws-client.js';

const SECRETS = { authorization: 'Bearer SECRET-BEARER', cookie: 'session=SECRET-COOKIE' };

test('access log: one line per connection outcome with realm, wait, bytes both ways, duration and client; no query string, Authorization or Cookie', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { port, logs } = await startGate(t, {
    upstream: { url: upstream.url },
    realms: [{ name: 'realm1' }, { name: 'realm2', onNotReady: 'reject' }],
    readiness: { combine: 'any', sources: [{ type: 'static', ready: ['realm1'] }] },
    log: { access: 'all' },
  });
  const access = (): LogLine[] => logs.filter((l) => l.access === true);

  const tunnel = await connectWs(`ws://127.0.0.1:${port}/ws?realm=realm1&ticket=SECRET-TICKET`, 'wamp.2.json', { headers: SECRETS });
  assert.equal(tunnel.kind, 'open');
  const payload = 'x'.repeat(1000);
  assert.equal((await echo(tunnel.ws!, payload)).toString(), payload);
  assert.equal(access().length, 0, 'a tunnel is logged when it ends, with its byte counts');
  tunnel.ws!.close();
  const forwarded = await until(() => access().find((l) => l.outcome === 'forwarded'), 'the tunnel line');
  assert.equal(forwarded.msg, 'connection');
  assert.equal(forwarded.realm, 'realm1');
  assert.equal(forwarded.client, '127.0.0.1');
  assert.equal(forwarded.path, '/ws');
  assert.equal(forwarded.waitMs, 0);
  assert.ok(typeof forwarded.durationMs === 'number' && forwarded.durationMs >= 0);
  // The request head plus a masked 1000-byte frame in; the 101 plus the echoed frame out.
  assert.ok((forwarded.bytesIn as number) > 1000, `bytesIn ${forwarded.bytesIn}`);
  assert.ok((forwarded.bytesOut as number) > 1000, `bytesOut ${forwarded.bytesOut}`);

  const refused = await connectWs(`ws://127.0.0.1:${port}/ws?realm=realm2&access_token=SECRET-TOKEN`, 'wamp.2.json', { headers: SECRETS });
  assert.equal(refused.status, 503);
  const notReady = await until(() => access().find((l) => l.outcome === 'rejected_not_ready'), 'the refusal line');
  assert.equal(notReady.realm, 'realm2');
  assert.ok((notReady.bytesOut as number) > 0, 'the 503 is counted');

  await rawExchange(port, 'GET /ws?ticket=SECRET-RAW HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: session=SECRET-COOKIE\r\n\r\n');
  const bad = await until(() => access().find((l) => l.outcome === 'bad_request'), 'the bad request line');
  assert.equal(bad.realm, '_unknown');
  assert.equal(bad.path, '/ws');

  assert.equal(access().length, 3, 'exactly one line per connection');
  assert.doesNotMatch(JSON.stringify(logs), /SECRET/, 'no ticket, token, Authorization or Cookie anywhere in the log');
});

test('access log: off by default, and `sample` logs only the sampled share', async (t) => {
  const upstream = await startEchoUpstream(t);
  for (const [log, expected] of [[undefined, 0], [{ access: 'sample', accessSampleRate: 0 }, 0], [{ access: 'sample', accessSampleRate: 1 }, 1]] as const) {
    const { port, logs } = await startGate(t, {
      upstream: { url: upstream.url },
      realms: [{ name: 'realm2', onNotReady: 'reject' }],
      ...(log ? { log } : {}),
    });
    const r = await connectWs(`ws://127.0.0.1:${port}/ws?realm=realm2`, 'wamp.2.json');
    assert.equal(r.status, 503);
    // The refusal's own log trail is synchronous with the answer; give the close a turn, then count.
    if (expected === 1) await until(() => logs.some((l) => l.access === true), 'the sampled line');
    else await new Promise((resolve) => setImmediate(resolve));
    assert.equal(logs.filter((l) => l.access === true).length, expected, JSON.stringify(log));
  }
});
