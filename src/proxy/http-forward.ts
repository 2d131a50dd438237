import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '../logger.js';
import type { UpstreamTlsOptions } from '../tls/upstream-tls.js';

/**
 * Plain HTTP (no upgrade) goes to the upstream unchanged but for
 * X-Forwarded-For/-Proto/-Host, through http-proxy-3 (the maintained rewrite
 * of http-proxy 1.18, whose WebSocket and socket-leak bugs it fixes).
 */
export function createHttpForward(opts: { upstreamUrl: string; timeoutMs: number; logger: Logger; tls?: UpstreamTlsOptions | undefined }) {
  const t = opts.tls;
  // http-proxy-3 passes `ca` and `secure` on; an SNI name other than the Host header needs an agent.
  const agent = t?.servername !== undefined ? new https.Agent({ servername: t.servername, rejectUnauthorized: t.rejectUnauthorized, ...(t.ca ? { ca: t.ca } : {}) }) : undefined;
  const proxy = createProxyServer({
    target: opts.upstreamUrl, xfwd: true, proxyTimeout: opts.timeoutMs, ws: false,
    ...(t ? { secure: t.rejectUnauthorized, ...(t.ca ? { ca: t.ca.toString('latin1') } : {}) } : {}),
    ...(agent ? { agent } : {}),
  });
  // Without a listener, http-proxy-3 rethrows errors; every error is answered per request below.
  proxy.on('error', () => {});

  return {
    forward(req: IncomingMessage, res: ServerResponse, onError: (err: Error) => void): void {
      proxy.web(req, res, {}, (err) => {
        const e = err as NodeJS.ErrnoException;
        onError(e);
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        const body = JSON.stringify({
          error: 'upstream_error',
          // Never the upstream's address or credentials: the client only learns that it failed.
          message: 'the upstream is unavailable - please retry',
        });
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
        res.end(body);
        opts.logger.debug({ err: e.code ?? e.message, path: (req.url ?? '').split('?')[0] }, 'HTTP forward failed');
      });
    },
    close(): void {
      proxy.close();
      agent?.destroy();
    },
  };
}
