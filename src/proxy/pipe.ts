import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

/**
 * The steady-state byte pipe of a tunnel.
 *
 * Why not `a.pipe(b)`: every read of a stream-mode socket allocates a fresh 64 KiB
 * ArrayBuffer backing store. V8 counts those bytes as external memory against the old
 * generation's allocation limit until a scavenge frees them (every ~32 MiB read); a
 * process whose old generation is realmgate's size (~16 MB: fastify, zod, pino, prom-client
 * loaded) reaches that limit and runs a full mark-compact every ~30-40 ms under load, while
 * a bare forwarder with a 7 MB heap does not. So an admitted tunnel reads into a
 * per-socket buffer it reuses (net.Socket `onread`): no allocation per chunk at all, and no
 * Readable machinery (push, 'data', pipe bookkeeping) on the hot path.
 *
 * Buffers are bounded by a ReadBuffers pool (owned by Tunnels): a tunnel that finds the pool
 * empty keeps forwarding in stream mode, so 10,000 idle tunnels cost no more memory than before.
 */
export class ReadBuffers {
  readonly #free: Buffer[] = [];
  #out = 0;
  readonly bufferBytes: number;
  readonly maxBuffers: number;

  constructor(opts: { bufferBytes?: number; maxBuffers?: number } = {}) {
    this.bufferBytes = opts.bufferBytes ?? 64 * 1024;
    this.maxBuffers = opts.maxBuffers ?? 512;
  }

  /** Two buffers (one per direction), or undefined when the pool is used up. */
  takePair(): [Buffer, Buffer] | undefined {
    if (this.#out + 2 > this.maxBuffers) return undefined;
    this.#out += 2;
    return [this.#free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes), this.#free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes)];
  }

  /** Back to the pool once its socket is closed (no read or pending write can touch it). */
  give(buf: Buffer): void {
    this.#out--;
    // Idle memory stays small: keep a few for the next tunnels, let the rest be collected.
    if (this.#free.length < 32) this.#free.push(buf);
  }

  /** Buffers held by open tunnels. */
  get inUse(): number {
    return this.#out;
  }
}

/** The handle a Tunnels registry holds for each tunnel. */
export interface PipeHandle {
  destroy(): void;
  /**
   * Lets the tunnel move to reused read buffers from `pool` once it carries traffic (both
   * sockets plain TCP, nothing buffered or being written at that moment). Without this call
   * (or when the pool is used up) it stays in stream mode (Forward).
   */
  useReadBuffers(pool: ReadBuffers): void;
}

interface AdoptableSocket extends net.Socket {
  _handle: { reading?: boolean } | null;
}

/** A plain TCP socket whose kernel handle can move to a new wrapper without losing a byte. */
function adoptable(s: Duplex): s is AdoptableSocket {
  return s instanceof net.Socket && !(s instanceof tls.TLSSocket) && (s as AdoptableSocket)._handle != null
    && !s.destroyed && !s.connecting && s.writable && s.writableLength === 0
    && s.readableLength === 0 && !s.readableEnded && !(s as unknown as { _readableState: { ended: boolean } })._readableState.ended;
}

/**
 * Stream-mode forwarding of one direction, until the tunnel moves to reused buffers: each chunk
 * written on, the source paused while the destination's buffer is over its mark (resumed on
 * 'drain'), its FIN passed on. What `src.pipe(dst)` does, without the listeners pipe() adds to
 * both streams and takes off again at the end (the 'pipe'/'unpipe' events, cleanup on 'close',
 * 'finish' and 'error'): a session that is a handshake, a HELLO and its WELCOME pays for those
 * more than for its bytes.
 */
class Forward {
  readonly #src: Duplex;
  readonly #dst: Duplex;
  #waiting = false;
  /** Called after each chunk while the tunnel counts towards the move to reused buffers. */
  onChunk: (() => void) | undefined;
  readonly #onData = (chunk: Buffer): void => {
    if (!this.#dst.write(chunk) && !this.#waiting) {
      this.#waiting = true;
      this.#src.pause();
      this.#dst.once('drain', this.#onDrain);
    }
    this.onChunk?.();
  };
  readonly #onDrain = (): void => {
    this.#waiting = false;
    this.#src.resume();
  };
  readonly #onEnd = (): void => {
    this.#dst.end();
  };

  constructor(src: Duplex, dst: Duplex) {
    this.#src = src;
    this.#dst = dst;
    src.on('data', this.#onData);
    src.once('end', this.#onEnd);
  }

  /** Takes every listener off; the source is left paused. */
  stop(): void {
    this.#src.off('data', this.#onData);
    this.#src.off('end', this.#onEnd);
    this.#dst.off('drain', this.#onDrain);
    this.#src.pause();
  }
}

/**
 * Joins two sockets as a raw byte pipe and starts both reading. Either side's error or close
 * destroys the other; `onClose` runs exactly once with who ended it. Half-close is passed on
 * (WebSocket close handshakes end with FIN), each socket keeping its own allowHalfOpen.
 */
export function pipeBoth(
  client: Duplex,
  upstream: net.Socket,
  onClose: (by: 'client' | 'upstream', err?: Error) => void,
): PipeHandle {
  let closed = false;
  let moved = false;
  // After adoption these are the new wrappers; the originals are kept to be destroyed with them.
  let a: Duplex = client;
  let b: Duplex = upstream;
  const finish = (by: 'client' | 'upstream', err?: Error): void => {
    if (closed) return;
    closed = true;
    a.destroy();
    b.destroy();
    if (a !== client) client.destroy();
    if (b !== upstream) upstream.destroy();
    onClose(by, err);
  };
  const onClientError = (err: Error): void => finish('client', err);
  const onUpstreamError = (err: Error): void => finish('upstream', err);
  const onClientClose = (): void => finish('client');
  const onUpstreamClose = (): void => finish('upstream');
  client.on('error', onClientError);
  upstream.on('error', onUpstreamError);
  client.on('close', onClientClose);
  upstream.on('close', onUpstreamClose);
  const up = new Forward(client, upstream);
  const down = new Forward(upstream, client);

  /** Moves both sockets to reused read buffers now, if nothing is in flight either way. */
  const adoptNow = (pool: ReadBuffers): 'done' | 'busy' | 'never' => {
    if (closed || moved) return 'never';
    if (!adoptable(client) || !adoptable(upstream)) return client instanceof tls.TLSSocket || upstream instanceof tls.TLSSocket ? 'never' : 'busy';
    const pair = pool.takePair();
    if (!pair) return 'never';
    moved = true;
    up.stop();
    down.stop();
    client.off('error', onClientError);
    upstream.off('error', onUpstreamError);
    // The old wrappers own nothing any more; a late call on them must not throw.
    client.on('error', noop);
    upstream.on('error', noop);
    const c = adopt(client, pair[0], pool);
    const u = adopt(upstream, pair[1], pool);
    a = c.socket;
    b = u.socket;
    c.pipeTo(b);
    u.pipeTo(a);
    a.on('error', onClientError);
    b.on('error', onUpstreamError);
    a.on('close', onClientClose);
    b.on('close', onUpstreamClose);
    return 'done';
  };

  client.resume();
  upstream.resume();
  return {
    destroy: () => finish('client'),
    useReadBuffers(pool: ReadBuffers): void {
      // Lazily, after ADOPT_AFTER_CHUNKS chunks either way: a short session (a handshake, a HELLO
      // and its WELCOME, then close) or one with no traffic never pays for the two new socket
      // wrappers (~6 % of a session's CPU when done eagerly), and an idle tunnel pins no buffer.
      // The switch runs outside any read callback (setImmediate) and only when nothing is buffered
      // or being written either way; if something is, it is retried every ADOPT_AFTER_CHUNKS, a
      // bounded number of times, then the tunnel stays on the stream forwarding.
      let chunks = 0;
      let attempts = 0;
      let scheduled = false;
      const stop = (): void => {
        up.onChunk = undefined;
        down.onChunk = undefined;
      };
      const attempt = (): void => {
        scheduled = false;
        const r = adoptNow(pool);
        if (r === 'busy' && ++attempts < MAX_ADOPT_ATTEMPTS) {
          chunks = 0;
          return;
        }
        stop();
      };
      // Chunks either way count, from the moment a pool is offered.
      const count = (): void => {
        if (++chunks < ADOPT_AFTER_CHUNKS || scheduled) return;
        scheduled = true;
        setImmediate(attempt);
      };
      up.onChunk = count;
      down.onChunk = count;
    },
  };
}

/** On an adopted socket: the wrapper that took over its handle (a property, so it goes with the socket). */
const ADOPTED_BY = Symbol('realmgate.adoptedBy');
type Adopted = { [ADOPTED_BY]?: net.Socket };

/**
 * Bytes a connection read and wrote, also after its handle moved to a reused-buffer wrapper:
 * the handle's read count is cumulative; writes are the old wrapper's plus the new one's.
 */
export function socketBytes(socket: Duplex): { bytesIn: number; bytesOut: number } {
  const old = socket as Duplex & { bytesRead?: number; bytesWritten?: number };
  const next = (socket as Duplex & Adopted)[ADOPTED_BY];
  return {
    bytesIn: (next ? next.bytesRead : old.bytesRead) ?? 0,
    bytesOut: (old.bytesWritten ?? 0) + (next?.bytesWritten ?? 0),
  };
}

/** Chunks a stream-mode tunnel forwards before it moves to reused buffers. */
const ADOPT_AFTER_CHUNKS = 8;
const MAX_ADOPT_ATTEMPTS = 64;

function noop(): void {}

/** Queued behind a pending write, its callback says when that write is done. */
const EMPTY = Buffer.alloc(0);

/**
 * Moves `old`'s kernel handle to a new net.Socket that reads into `buf`. The old wrapper
 * keeps its place in the HTTP server's connection count until it is destroyed with the tunnel.
 */
function adopt(old: AdoptableSocket, buf: Buffer, pool: ReadBuffers): { socket: net.Socket; pipeTo(dst: Duplex): void } {
  const handle = old._handle!;
  old._handle = null;
  let dst: Duplex | undefined;
  let waiting = false;
  const src: net.Socket = new net.Socket({
    handle,
    allowHalfOpen: old.allowHalfOpen,
    onread: {
      buffer: buf,
      // The hot path: one write of a view of the reused buffer, without a callback: a write
      // that completes at once then costs no process.nextTick (Writable schedules one per
      // write that has a callback). A write that did not reach the kernel at once still points
      // into `buf`: stop reading (TCP backpressure to the sender) until it is done, so the buffer
      // is never overwritten under it; an empty write queued behind it calls back when it is.
      callback: (n: number): boolean => {
        const d = dst!;
        d.write(buf.subarray(0, n));
        if (d.writableLength === 0) return true;
        waiting = true;
        d.write(EMPTY, written);
        return false;
      },
    },
  } as unknown as net.SocketConstructorOpts);
  const written = (): void => {
    if (waiting && dst!.writableLength === 0 && !src.destroyed) {
      waiting = false;
      src.resume();
    }
  };
  // The access log reads a connection's byte counts from the socket it knows: leave the way there.
  (old as unknown as Adopted)[ADOPTED_BY] = src;
  src.once('close', () => pool.give(buf));
  return {
    socket: src,
    pipeTo(d: Duplex): void {
      dst = d;
      src.on('end', () => d.end());
    },
  };
}
