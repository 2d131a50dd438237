// The upgrade fast path (src/proxy/upgrade-request.ts) must read a request exactly as node:http
// does, and must leave every request it is not sure of to node:http. Each accepted request is fed
// to a real node:http server too, and the two readings are compared field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { parseUpgradeHead } from '../../src/proxy/upgrade-request.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ws = (target = '/ws?realm=realm1', extra = ''): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

/** What node:http makes of `raw`: its upgrade request and the bytes after the head. */
async function nodeReading(raw: Buffer): Promise<{ method: string; url: string; headers: Record<string, unknown>; rawHeaders: string[]; head: Buffer }> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise((resolve, reject) => {
      server.once('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        resolve({ method: req.method!, url: req.url!, headers: { ...req.headers }, rawHeaders: req.rawHeaders, head });
        socket.destroy();
      });
      const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => c.write(raw));
      c.on('error', reject);
    });
  } finally {
    server.close();
  }
}

const socket = new net.Socket();

test('the fast path reads clean WebSocket upgrades exactly as node:http does (fields, raw fields, bytes after the head)', async () => {
  const accepted = [
    ws(),
    ws('/', 'Origin: http://example.com\r\nSec-WebSocket-Protocol: wamp.2.json, wamp.2.msgpack\r\nX-Wamp-Realm:  realm2 \t\r\n'),
    ws('/ws/path%20x?a=1&b=%2F', 'Cookie: a=1; b=2\r\nUser-Agent: AutobahnPython/23.1.2\r\nconstructor: x\r\ntoString: y\r\n'),
    'GET /ws HTTP/1.1\r\nhost: h\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-key: ' + KEY + '\r\nsec-websocket-version: 13\r\n\r\n',
    ws('/ws', 'Empty:\r\n'),
  ];
  for (const text of accepted) {
    const early = Buffer.from([0x81, 0x85, 1, 2, 3, 4]);
    const raw = Buffer.concat([Buffer.from(text, 'latin1'), early]);
    const fast = parseUpgradeHead(raw, socket);
    assert.ok(fast, `fast path should take:\n${text}`);
    const node = await nodeReading(raw);
    assert.equal(fast.req.method, node.method);
    assert.equal(fast.req.url, node.url);
    assert.deepEqual({ ...fast.req.headers }, node.headers, text);
    assert.deepEqual(fast.req.rawHeaders, node.rawHeaders, text);
    assert.deepEqual(fast.rest, node.head);
    assert.equal(fast.req.socket, socket);
    // A field named like an Object.prototype member is a plain field, not a prototype.
    assert.equal(Object.getPrototypeOf(fast.req.headers), null);
  }
});

test('anything the fast path is not sure of goes to node:http', () => {
  const big = 'X-Pad: ' + 'a'.repeat(17 * 1024) + '\r\n';
  const refused: [string, string][] = [
    ['head not complete in the first chunk', ws().slice(0, -2)],
    ['obs-fold', ws('/ws', 'X-A: 1\r\n  continued\r\n')],
    ['a repeated field', ws('/ws', 'Host: other\r\n')],
    ['a repeated field in another case', ws('/ws', 'UPGRADE: websocket\r\n')],
    ['Content-Length', ws('/ws', 'Content-Length: 5\r\n')],
    ['Transfer-Encoding', ws('/ws', 'Transfer-Encoding: chunked\r\n')],
    ['space before the colon', ws('/ws', 'X-A : 1\r\n')],
    ['a control byte in a value', ws('/ws', 'X-A: 1\x002\r\n')],
    ['a bare CR in a value', ws('/ws', 'X-A: 1\r2\r\n')],
    ['a non-ASCII byte', ws('/ws', 'X-A: caf\xe9\r\n')],
    ['a line without a colon', ws('/ws', 'garbage\r\n')],
    ['POST', ws().replace(/^GET/, 'POST')],
    ['lower-case method', ws().replace(/^GET/, 'get')],
    ['HTTP/1.0', ws().replace('HTTP/1.1', 'HTTP/1.0')],
    ['absolute-form target', ws('http://example.com/ws')],
    ['asterisk target', ws('*')],
    ['two spaces in the request line', ws().replace('GET ', 'GET  ')],
    ['another protocol offer', ws().replace('Upgrade: websocket', 'Upgrade: h2c')],
    ['no Connection: upgrade', ws().replace('Connection: Upgrade', 'Connection: keep-alive')],
    ['no Connection field', ws().replace('Connection: Upgrade\r\n', '')],
    ['no Upgrade field', ws().replace('Upgrade: websocket\r\n', '')],
    ['a head over 16 KiB', ws('/ws', big)],
    ['too many fields', ws('/ws', Array.from({ length: 70 }, (_, i) => `X-${i}: v\r\n`).join(''))],
    ['a __proto__ field (node:http drops it from headers)', ws('/ws', '__proto__: x\r\n')],
    ['RawSocket-like bytes', '\x7f\xf1\x00\x00'],
  ];
  for (const [why, text] of refused) assert.equal(parseUpgradeHead(Buffer.from(text, 'latin1'), socket), undefined, why);
});
