/**
 * One input on one fresh connection, and what the gate answered. The classifier reads an HTTP
 * response head, and after a 101 the server's WebSocket frames (a WAMP ABORT or WELCOME in the
 * negotiated serializer, or a CLOSE code). Every exchange has a deadline, so a loop of them is bounded.
 */
import net from 'node:net';
import { decodeFirstMessage } from '../src/wamp/hello.js';
import { parseSubprotocol } from '../src/wamp/serializers.js';
import { FrameReader, Opcode } from '../src/wamp/ws-frames.js';

/** What the gate did with one input. */
export interface Answer {
  /** HTTP status of the response head, if one arrived. */
  status?: number;
  /** WAMP message type of the first data message after a 101 (3 ABORT, 2 WELCOME, …). */
  wamp?: number;
  /** ABORT reason URI. */
  abortReason?: string;
  /** CLOSE frame code sent by the server (1005 for an empty CLOSE). */
  wsClose?: number;
  /** Second octet of a RawSocket handshake reply (0x7F, L|S or E<<4, 0, 0): the input began with 0x7F, a RawSocket client by the universal-port rule. */
  rawsocketReply?: number;
  /**
   * How the connection ended: `server` closed on its own; `client-eof` the server closed only after
   * the input stopped and the client sent FIN (an incomplete input); `open` the server still held it
   * `closeWaitMs` after our FIN (a leak); `reset` ECONNRESET.
   */
  end: 'server' | 'client-eof' | 'open' | 'reset';
  /** Server bytes received. */
  bytes: number;
}

/** Options for {@link exchange}. */
export interface ExchangeOptions {
  /** Silence (ms) after the last byte either way before the client sends FIN; default 400. */
  idleMs?: number;
  /** After our FIN, how long the server may take to close, ms; default 4000. */
  closeWaitMs?: number;
  /** Pause between input chunks, ms; default 0. */
  gapMs?: number;
  /** Local loopback address to connect from (spreads ephemeral ports); default the kernel's choice. */
  localAddress?: string;
}

/**
 * A short label for counting: `abort`, `welcome`, `wamp:N`, `ws-close:N`, `http:N`; a 101 with no
 * WebSocket-level answer `101+<end>`; no answer at all `<end>` (`close:bare`, `close:after-eof`, `close:reset`, `open`).
 */
export function answerKind(a: Answer): string {
  if (a.rawsocketReply !== undefined) return `rawsocket:0x${a.rawsocketReply.toString(16).padStart(2, '0')}`;
  if (a.wamp === 3) return 'abort';
  if (a.wamp !== undefined) return a.wamp === 2 ? 'welcome' : `wamp:${a.wamp}`;
  if (a.wsClose !== undefined) return `ws-close:${a.wsClose}`;
  const end = a.end === 'server' ? 'close:bare' : a.end === 'client-eof' ? 'close:after-eof' : a.end === 'reset' ? 'close:reset' : 'open';
  if (a.status === 101) return `101+${end}`;
  if (a.status !== undefined) return `http:${a.status}`;
  return end;
}

/**
 * The answers that count as handled, for every input class: a WAMP ABORT/WELCOME/other message,
 * a CLOSE code, an HTTP status other than 500, or — for inputs that stop mid-request or mid-frame —
 * a close once the client sends FIN (the gate was still waiting for the rest, which is correct).
 * Not allowed: no answer before a bare close or reset, a 500, and a connection the gate keeps after
 * the client's FIN (`open`, a leak).
 */
export function isAllowed(kind: string): boolean {
  if (kind.startsWith('rawsocket:')) return true;
  if (kind === 'abort' || kind === 'welcome' || kind.startsWith('wamp:') || kind.startsWith('ws-close:')) return true;
  if (kind.endsWith('close:after-eof')) return true;
  return kind.startsWith('http:') && kind !== 'http:500';
}

/** Sends `chunks` on a new connection to 127.0.0.1:`port` and classifies the answer. Never rejects. */
export function exchange(port: number, chunks: readonly Buffer[], opts: ExchangeOptions = {}): Promise<Answer> {
  const idleMs = opts.idleMs ?? 400;
  const closeWaitMs = opts.closeWaitMs ?? 4000;
  return new Promise((resolve) => {
    const answer: Answer = { end: 'server', bytes: 0 };
    const sock = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    let head = Buffer.alloc(0);
    let reader: FrameReader | undefined;
    let sp: ReturnType<typeof parseSubprotocol>;
    let sentFin = false;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (end: Answer['end']): void => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      answer.end = end;
      sock.destroy();
      resolve(answer);
    };
    const arm = (): void => {
      clearTimeout(idle);
      if (sentFin) return;
      idle = setTimeout(() => {
        sentFin = true;
        sock.end();
        idle = setTimeout(() => finish('open'), closeWaitMs);
      }, idleMs);
    };
    const onFrames = (data: Buffer): void => {
      for (const f of reader!.push(data)) {
        if (f.opcode === Opcode.CLOSE) {
          answer.wsClose ??= f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        } else if ((f.opcode === Opcode.TEXT || f.opcode === Opcode.BINARY) && answer.wamp === undefined && sp) {
          try {
            const msg = decodeFirstMessage(sp, f.payload);
            answer.wamp = typeof msg[0] === 'number' ? msg[0] : -1;
            if (answer.wamp === 3) answer.abortReason = String(msg[2]);
          } catch {
            answer.wamp = -1;
          }
        }
      }
    };
    sock.on('data', (c: Buffer) => {
      answer.bytes += c.length;
      arm();
      if (reader) {
        try {
          onFrames(c);
        } catch {
          /* a server frame we cannot parse: the classification keeps what it has */
        }
        return;
      }
      head = Buffer.concat([head, c]);
      if (head[0] === 0x7f && head.length >= 4) answer.rawsocketReply ??= head[1];
      const end = head.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, 16).toString('latin1'));
      if (m) answer.status ??= Number(m[1]);
      if (end < 0 || answer.status !== 101) return;
      const proto = /\r\nsec-websocket-protocol:\s*([^\r\n]+)/i.exec(head.subarray(0, end).toString('latin1'))?.[1]?.trim();
      sp = proto ? parseSubprotocol(proto) : undefined;
      reader = new FrameReader({ maxPayloadBytes: 64 * 1024 * 1024 });
      const rest = head.subarray(end + 4);
      head = Buffer.alloc(0);
      if (rest.length > 0) {
        try {
          onFrames(rest);
        } catch {
          /* as above */
        }
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? (sentFin ? 'client-eof' : 'reset') : 'reset'));
    sock.on('close', () => finish(sentFin ? 'client-eof' : 'server'));
    sock.on('connect', () => {
      void (async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (done) return;
          if (i > 0 && opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
          if (!sock.writable) return;
          sock.write(chunk);
        }
        arm();
      })();
    });
  });
}
