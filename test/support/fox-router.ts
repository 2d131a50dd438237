/**
 * fox-wamp (a JSON-only Node WAMP router) as a second, independent router implementation for
 * tests, wrapped to behave like Crossbar where its quirks differ:
 * - fox auto-creates any realm named in HELLO; here a realm not in `opts.realms` gets
 *   ABORT `[3, {"message": "no realm \"R\" exists on this router"}, "wamp.error.no_such_realm"]`
 *   with the socket left open, as Crossbar's proxy does;
 * - fox validates realm names inside an async path whose rejection nobody handles (a dotted
 *   realm such as `com.example` kills the process): the HELLO hook above stops unknown names
 *   before fox sees them, and `startFoxRouter` refuses to configure names fox cannot serve.
 * - fox sends `null` where argument lists are empty; autobahn-js and wampy cope with that.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface FoxCtx { wampSend(msg: unknown[], callback?: (err?: Error) => void): void }
interface FoxGateClass {
  new (router: unknown): { hello(ctx: FoxCtx, session: unknown, realm: unknown, details: unknown): void };
}
type FoxWampServer = {
  clients: Set<{ terminate(): void; close(code?: number, reason?: string): void }>;
  close(cb?: () => void): void;
};

/** Realm names fox-wamp itself accepts (lib/router.js `validate_realm_regex`). */
const FOX_REALM = /^[a-z0-9_]+$/;

export interface FoxRouterHandle {
  /** `ws://127.0.0.1:P/ws` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startFoxRouter(opts: { realms: string[] }): Promise<FoxRouterHandle> {
  const bad = opts.realms.filter((r) => !FOX_REALM.test(r));
  if (bad.length > 0) throw new Error(`fox-wamp cannot serve realm names ${JSON.stringify(bad)} (only [a-z0-9_]+)`);
  const FoxRouter = require('fox-wamp') as new () => unknown;
  const { WampGate } = require('fox-wamp/lib/wamp/gate') as { WampGate: FoxGateClass };
  const WampServer = require('fox-wamp/lib/wamp/transport') as new (gate: unknown, opts: object) => FoxWampServer;
  const allowed = new Set(opts.realms);

  class CrossbarLikeGate extends WampGate {
    override hello(ctx: FoxCtx, session: unknown, realm: unknown, details: unknown): void {
      if (typeof realm === 'string' && allowed.has(realm)) {
        super.hello(ctx, session, realm, details);
        return;
      }
      const message = `no realm "${String(realm)}" exists on this router`;
      ctx.wampSend([3, { message }, 'wamp.error.no_such_realm']);
    }
  }

  const router = new FoxRouter();
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  const wss = new WampServer(new CrossbarLikeGate(router), { server, path: '/ws', perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
