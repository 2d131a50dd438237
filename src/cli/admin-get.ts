import http from 'node:http';
import { loadConfig } from '../config/load.js';

/**
 * The admin URL for `wait` and `health`: --admin, else $REALMGATE_ADMIN_URL, else the admin
 * host/port of the config file (--config or $REALMGATE_CONFIG, as the image sets it), else
 * http://127.0.0.1:9090. A wildcard bind address is reached on loopback.
 */
export function adminUrl(opts: { admin?: string | undefined; config?: string | undefined; env: NodeJS.ProcessEnv }): string {
  if (opts.admin) return opts.admin;
  if (opts.env.REALMGATE_ADMIN_URL) return opts.env.REALMGATE_ADMIN_URL;
  const file = opts.config ?? opts.env.REALMGATE_CONFIG;
  if (file) {
    try {
      const { host, port } = loadConfig(file).admin;
      const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
      return `http://${h}:${port}`;
    } catch {
      // An unreadable config falls back to the default port: the probe then tells the truth.
    }
  }
  return 'http://127.0.0.1:9090';
}

/** One GET with a deadline; resolves with the status (0 = no answer) and the body, never rejects. */
export function adminGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number, body: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status, body });
    };
    const req = http.get(url, { headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      // Bounded: an answer larger than 64 KiB is cut (status pages are small).
      res.on('data', (c: string) => (body = (body + c).slice(0, 65_536)));
      res.on('end', () => finish(res.statusCode ?? 0, body));
      res.on('error', () => finish(0, body));
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(0, 'no answer');
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish(0, err.code ?? err.message));
  });
}
