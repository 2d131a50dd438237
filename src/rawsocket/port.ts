import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import type { RawSocketHandler } from './session.js';

/**
 * The optional RawSocket-only port (`listen.rawsocket`), as Crossbar's `rawsocket` transport:
 * every connection is a RawSocket client; a wrong first octet is closed without a reply.
 */
export class RawSocketPort {
  readonly #server: net.Server;

  constructor(handler: RawSocketHandler) {
    this.#server = net.createServer({ noDelay: true }, (socket) => handler(socket, Buffer.alloc(0)));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(new RealmgateError(ErrorCodes.LISTEN, `cannot listen on ${host}:${port} (listen.rawsocket): ${err.code ?? err.message}`, { cause: err }));
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting; sessions are reached through the pending set and the tunnels. Idempotent. */
  close(): void {
    this.#server.close();
  }
}
