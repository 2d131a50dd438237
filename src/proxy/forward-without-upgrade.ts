import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { type GateContext, realmLabel } from './gate-context.js';
import { type Cancel, cancel, readUpstream } from './read-upstream.js';
import { badRequest, writeRaw } from './reject.js';
import { connectUpstream, upgradeRequestHead } from './tunnel.js';
import { relayAnswerAndClose, responseHeadReader, type ResponseHead } from './upstream-response.js';
import type { UpgradeRequest } from './upgrade-request.js';

/**
 * A request that merely offers another protocol is a plain HTTP request to a proxy that does
 * not speak it: forwarded with the offer removed and `Connection: close` — exactly one request
 * (its Content-Length body at most), one answer relayed, then both sockets close. Never a pipe.
 */
export function forwardWithoutUpgrade(ctx: GateContext, req: UpgradeRequest, socket: Duplex, head: Buffer): void {
  if (req.headers['transfer-encoding'] !== undefined) {
    ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
    return badRequest(socket, 'a chunked request body with an Upgrade offer is not forwarded; send Content-Length');
  }
  const bodyLength = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
    ctx.metrics.connection(realmLabel(ctx, undefined), 'bad_request');
    return badRequest(socket, 'invalid Content-Length');
  }
  const gone: Cancel = { cancelled: false };
  const onGone = (): void => cancel(gone);
  socket.once('close', onGone);
  let upstream: Socket | undefined;
  const send = async (): Promise<ResponseHead> => {
    upstream = await connectUpstream(ctx.upstream, gone);
    if (gone.cancelled || socket.destroyed) throw new RealmgateError(ErrorCodes.CLOSED, 'client gone');
    const up = upstream;
    up.write(upgradeRequestHead(req, { set: { connection: 'close' }, omit: ['upgrade', 'http2-settings'] }));
    // The request body and not one byte more: pipelined requests stay with the gate.
    let left = bodyLength;
    const forwardBody = (chunk: Buffer): void => {
      if (left <= 0) return;
      const piece = chunk.subarray(0, left);
      left -= piece.length;
      up.write(piece);
      if (left <= 0) socket.off('data', forwardBody);
    };
    forwardBody(head);
    if (left > 0) socket.on('data', forwardBody);
    return readUpstream(up, { timeoutMs: ctx.upstream.connectTimeoutMs, cancel: gone, do: 'answer the request' }, responseHeadReader());
  };
  send().then(
    (answer) => {
      socket.off('close', onGone);
      if (answer.status === 101) {
        upstream!.destroy();
        return writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', message: 'the upstream switched protocols for a request that did not ask to' }));
      }
      relayAnswerAndClose(socket, upstream!, answer, ctx.upstream.connectTimeoutMs);
    },
    () => {
      socket.off('close', onGone);
      upstream?.destroy();
      if (gone.cancelled) return void socket.destroy();
      writeRaw(socket, 502, 'Bad Gateway', JSON.stringify({ error: 'upstream_error', message: 'the upstream is unavailable - please retry' }));
    },
  );
}
