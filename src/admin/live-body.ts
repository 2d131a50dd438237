import type { DrainState } from './server.js';

/**
 * The /health/live answer. Pure, because two threads give it: the admin worker
 * (live-worker.ts, which answers the probe without the main loop) and the fastify route.
 * Alive while draining too (a restart would cut the tunnels a drain lets finish), but it
 * says so: a pod stuck drained after a mistaken /drain shows why and how to undo it.
 */
export function liveBody(d: DrainState): Record<string, unknown> {
  if (!d.draining) return { status: 'ok' };
  return {
    status: 'ok',
    draining: true,
    drainingSince: d.since === null ? null : new Date(d.since).toISOString(),
    drainedBy: d.by,
    message: d.by === 'shutdown' ? 'shutting down' : 'drained by POST /drain; POST /undrain (or `realmgate undrain` in the pod) undoes it',
  };
}
