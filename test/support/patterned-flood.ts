import type net from 'node:net';

/** Chunk size of the flood. */
const CHUNK = 64 * 1024;
/** What a sender may push into a stalled tunnel: every socket buffer on the loopback path plus the tunnel's own read buffer, generously. */
export const MAX_ACCEPTED = 48 * 2 ** 20;
/** The byte at stream offset i: any reordering, loss or overwrite inside a tunnel shows. */
const byteAt = (i: number): number => (i * 7 + (i >>> 13)) & 0xff;

function patterned(offset: number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = byteAt(offset + i);
  return b;
}

/**
 * Writes patterned chunks while the socket takes them; resolves with the bytes written (and the
 * bytes that left the socket) once a write has waited `quietMs` for 'drain' (the tunnel is
 * stalled) or `limit` bytes are out.
 */
export function fillUntilStalled(sock: net.Socket, limit: number, quietMs: number): Promise<{ sent: number; accepted: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    const more = (): void => {
      while (sent < limit) {
        const ok = sock.write(patterned(sent, CHUNK));
        sent += CHUNK;
        if (!ok) {
          const timer = setTimeout(() => { sock.off('drain', onDrain); resolve({ sent, accepted: sent - sock.writableLength }); }, quietMs);
          const onDrain = (): void => { clearTimeout(timer); more(); };
          sock.once('drain', onDrain);
          return;
        }
      }
      resolve({ sent, accepted: sent });
    };
    more();
  });
}

/** Resolves once `sock` ended; rejects at the first byte that is not the pattern's. Returns the bytes read. */
export function readPatternToEnd(sock: net.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    sock.on('data', (c: Buffer) => {
      for (let i = 0; i < c.length; i++) {
        if (c[i] !== byteAt(got + i)) {
          sock.destroy();
          return reject(new Error(`byte ${got + i} changed in the tunnel`));
        }
      }
      got += c.length;
    });
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
    sock.resume();
  });
}
