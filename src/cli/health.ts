import { adminGet } from './admin-get.js';

/**
 * `realmgate health`: one GET of /health/live (or /health/ready with --ready) for Docker's
 * HEALTHCHECK, since the image has no curl. 0 = healthy, 3 = not.
 */
export async function checkHealth(o: { admin: string; ready: boolean; timeoutMs: number; write?: (l: string) => void }): Promise<0 | 3> {
  const write = o.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  const url = `${o.admin.replace(/\/+$/, '')}/health/${o.ready ? 'ready' : 'live'}`;
  const r = await adminGet(url, o.timeoutMs);
  if (r.status === 200) return 0;
  write(`realmgate: unhealthy (${url}: ${r.status === 0 ? `no answer (${r.body})` : `HTTP ${r.status}`})`);
  return 3;
}
