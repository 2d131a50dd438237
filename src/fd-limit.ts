import { readFileSync } from 'node:fs';
import { CONNECTION_REFUSAL_RESERVE } from './proxy/server.js';

/**
 * The process's open-file limit (soft RLIMIT_NOFILE) from /proc/self/limits; undefined where
 * there is none to read (not Linux) or it is unlimited.
 */
export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'latin1')): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const soft = text.split('\n').find((l) => l.startsWith('Max open files'))?.trim().split(/\s+/)[3];
  const n = Number(soft);
  return soft !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * What the gate needs when `maxConnections` clients are all tunnelled: two descriptors each
 * (client and upstream) plus the connections Node still accepts to answer 503 (server.ts).
 */
export function openFilesNeeded(maxConnections: number): number {
  return 2 * maxConnections + CONNECTION_REFUSAL_RESERVE;
}

/**
 * The warning to log at start when the limit cannot hold listen.maxConnections tunnels: past
 * about limit / 2 of them (less the few descriptors the process keeps open), upstream connects
 * fail with EMFILE and each admitted client is retried until its deadline, then answered 503 -
 * a cap the operator did not choose. Undefined when the limit is enough or unknown.
 */
export function openFileLimitWarning(limit: number | undefined, maxConnections: number): { fields: Record<string, number>; msg: string } | undefined {
  const needed = openFilesNeeded(maxConnections);
  if (limit === undefined || limit >= needed) return undefined;
  return {
    fields: { openFileLimit: limit, needed, maxConnections, tunnelsAtMost: Math.floor(limit / 2) },
    msg: 'open-file limit below 2 x listen.maxConnections + 1024: past about tunnelsAtMost tunnels, upstream connects fail (EMFILE) and clients are retried until their deadline - raise the nofile limit or lower listen.maxConnections',
  };
}
