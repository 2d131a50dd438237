import http from 'node:http';
import { WebSocket } from 'ws';

export interface UpgradeResult {
  kind: 'open' | 'refused';
  ws?: WebSocket;
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  protocol?: string;
}

/** Opens a WebSocket and reports either the open socket or the HTTP refusal (status, headers, body). */
export function connectWs(url: string, protocols?: string | string[], opts: { headers?: Record<string, string> } = {}): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, headers: opts.headers });
    ws.once('open', () => resolve({ kind: 'open', ws, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode, headers: res.headers, body }));
    });
    ws.once('error', reject);
  });
}

/** Sends one message and resolves with the next one received. */
export function echo(ws: WebSocket, data: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    ws.once('message', (d: Buffer) => resolve(d));
    ws.once('error', reject);
    ws.send(data);
  });
}
