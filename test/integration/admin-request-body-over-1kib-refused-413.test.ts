import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startGate } from '../support/gate.js';
import { startEchoUpstream } from '../support/upstream.js';

function post(url: string, body: Buffer): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('an admin request body over 1 KiB is refused 413 by the admin thread and never reaches the gate', async (t) => {
  const upstream = await startEchoUpstream(t);
  const { adminUrl } = await startGate(t, { upstream: { url: upstream.url }, realms: [{ name: 'realm1' }] });

  const big = await post(`${adminUrl}/drain`, Buffer.alloc(2048, 0x20));
  assert.equal(big.status, 413);
  assert.equal((JSON.parse(big.body) as { error: string }).error, 'body_too_large');
  assert.equal(big.connection, 'close', 'the rest of the body is not read');
  const live = (await (await fetch(`${adminUrl}/health/live`)).json()) as { draining?: boolean };
  assert.equal(live.draining, undefined, 'the drain was not carried out');

  const small = await post(`${adminUrl}/drain`, Buffer.from('{}'));
  assert.equal(small.status, 202, 'a small body still reaches the gate');
});
