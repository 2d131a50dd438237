import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { adminToken } from './drain-guard.js';

/**
 * `realmgate drain|undrain`: POSTs to this pod's own admin port over loopback, with the admin
 * token when one is configured. For an exec preStop hook (the image has no curl) and for
 * `kubectl exec <pod> -c realmgate -- node dist/main.js undrain` after a mistaken drain.
 * @returns the exit code: 0 done, 2 refused or unreachable.
 */
export async function requestDrain(
  config: Config,
  action: 'drain' | 'undrain',
  opts: { adminUrl?: string | undefined; timeoutMs?: number; out: (line: string) => void },
): Promise<0 | 2> {
  const base = opts.adminUrl ?? `http://${loopbackFor(config.admin.host)}:${config.admin.port}`;
  const token = adminToken(config.admin);
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  try {
    const res = await fetch(new URL(`/${action}`, base), { method: 'POST', headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
    const body = await res.text();
    opts.out(`${action}: HTTP ${res.status} ${body}`);
    return res.ok ? 0 : 2;
  } catch (err) {
    opts.out(`${action}: admin port ${base} unreachable: ${describeError(err)}`);
    return 2;
  }
}

/** The admin host to reach from inside the pod: loopback unless the port is bound to one address only. */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '' ) return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
