import { readdirSync } from 'node:fs';

/** Open file descriptors of this process (Linux): leak checks compare against a baseline. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
