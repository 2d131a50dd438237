import net from 'node:net';

/**
 * A raw TCP upstream for tunnel tests: answers the upgrade request with a 101, then hands the
 * socket (and any bytes that came after the request head) to `onTunnel`. Closed after the test.
 */
export async function startRawUpstream(t: { after(fn: () => void): void }, onTunnel: (sock: net.Socket, rest: Buffer) => void): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sock.on('error', () => sock.destroy());
    let head = Buffer.alloc(0);
    const onHead = (c: Buffer): void => {
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onHead);
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      onTunnel(sock, head.subarray(end + 4));
    };
    sock.on('data', onHead);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

/** Opens a raw tunnel through the gate; resolves with the socket once the 101 head was read, plus any bytes after it. */
export function openRawTunnel(port: number, request: string): Promise<{ sock: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let head = Buffer.alloc(0);
    const onData = (c: Buffer): void => {
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      sock.off('error', reject);
      sock.pause();
      if (!/^HTTP\/1\.1 101/.test(head.toString('latin1'))) return reject(new Error(`expected a 101, got ${head.toString('latin1').split('\r\n')[0]}`));
      resolve({ sock, rest: head.subarray(end + 4) });
    };
    sock.on('data', onData);
    sock.on('error', reject);
    sock.write(request);
  });
}
