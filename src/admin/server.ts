import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Admission } from '../proxy/admission.js';
import type { Tunnels } from '../proxy/tunnels.js';
import type { ConnectSlots } from '../proxy/connect-slots.js';
import type { RealmRegistry } from '../realms/registry.js';
import { redactDeep } from '../redact.js';
import { LogLimiter } from '../log-limiter.js';
import type { GuardRequest, GuardVerdict } from './drain-guard.js';
import { readyReport } from './health.js';
import { liveBody } from './live-body.js';

export interface DrainState {
  draining: boolean;
  /** Clock time the drain began; null when not draining. */
  since: number | null;
  /** `admin`: POST /drain (undoable); `shutdown`: SIGTERM / close(). */
  by: 'admin' | 'shutdown' | null;
}

export interface AdminDeps {
  registry: RealmRegistry;
  admission: Admission;
  tunnels: Tunnels;
  /** Upstream connects in flight and waiting for a slot (`upstream.maxConnecting`). */
  upstreamSlots?: ConnectSlots | undefined;
  metrics: Metrics;
  logger: Logger;
  draining(): boolean;
  /** Since when and why the gate drains (liveness and /status say it). */
  drainState(): DrainState;
  /** POST /drain: starts draining (idempotent). */
  drain(): void;
  /** POST /undrain: stops an admin drain; false while shutting down (SIGTERM), which cannot be undone. */
  undrain(): boolean;
  /** Who may POST /drain and /undrain (createDrainGuard). */
  guard(req: GuardRequest): GuardVerdict;
  clock: Clock;
  /** Extra /status fields (config summary, versions). */
  statusExtra(): Record<string, unknown>;
}

/**
 * The admin port: health for Kubernetes and load balancers, Prometheus
 * metrics, a JSON status page and the preStop drain hook. It never depends
 * on Crossbar being reachable: /health/live answers while the process serves.
 */
export function createAdminServer(deps: AdminDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  const refusals = new LogLimiter(deps.clock, 60_000);

  // Answered by the admin worker (live-worker.ts) on the admin port; kept here for inject users.
  app.get('/health/live', async () => liveBody(deps.drainState()));

  app.get('/health/ready', async (_req, reply) => {
    const report = readyReport(deps.registry, deps.admission, deps.draining());
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get<{ Params: { realm: string } }>('/health/ready/:realm', async (req, reply) => {
    const view = deps.registry.get(req.params.realm);
    if (!view) return reply.code(404).send({ error: 'unknown_realm', realm: req.params.realm });
    const draining = deps.draining();
    const ready = view.ready && !draining;
    return reply.code(ready ? 200 : 503).send({
      realm: view.name,
      ready,
      draining,
      since: new Date(view.since).toISOString(),
      queued: deps.admission.depth(view.name),
      source: view.source,
      // While draining the realm's own state is not why this answers 503: say so, and keep the realm's view apart.
      reason: draining ? `draining (${deps.drainState().by === 'shutdown' ? 'shutting down' : 'POST /drain'})` : deps.registry.explain(view.name),
      ...(draining ? { realmReady: view.ready, realmReason: deps.registry.explain(view.name) } : {}),
    });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  app.get('/status', async () => {
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
    const d = deps.drainState();
    return {
      draining: deps.draining(),
      drainingSince: iso(d.since),
      drainedBy: d.by,
      realms: readyReport(deps.registry, deps.admission, deps.draining()).realms,
      // Source errors and details quote URLs (a master URL with ?token=…): shown redacted.
      sources: deps.registry.sources().map((s) => redactDeep({
        name: s.name,
        type: s.type,
        up: s.up,
        stale: s.stale,
        lastSuccess: iso(s.lastSuccess),
        lastError: s.lastError,
        lastErrorAt: iso(s.lastErrorAt),
        polls: s.polls,
        detail: s.detail,
      })),
      queues: { total: deps.admission.total, byRealm: Object.fromEntries(deps.admission.queuedRealms().map((r) => [r, deps.admission.depth(r)])) },
      tunnels: { total: deps.tunnels.size, byRealm: Object.fromEntries(deps.tunnels.byRealm()) },
      upstreamConnects: { inFlight: deps.upstreamSlots?.inFlight ?? 0, waiting: deps.upstreamSlots?.waiting ?? 0, max: deps.upstreamSlots?.max ?? null },
      ...deps.statusExtra(),
    };
  });

  // State changes: checked in onRequest, before any body is read (docs/security.md).
  const guarded = {
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const verdict = deps.guard({ remoteAddress: req.socket.remoteAddress, headers: req.headers });
      if (verdict.ok) {
        deps.logger.info({ action: req.url.split('?')[0], by: verdict.by, peer: req.socket.remoteAddress }, `admin ${req.method} ${req.url.split('?')[0]} accepted`);
        return;
      }
      const limited = refusals.take('refused');
      if (limited) {
        deps.logger.warn({ action: req.url.split('?')[0], peer: req.socket.remoteAddress, status: verdict.status, error: verdict.error, suppressed: limited.suppressed },
          `admin ${req.method} refused (${verdict.error})`);
      }
      if (verdict.status === 401) void reply.header('www-authenticate', 'Bearer realm="realmgate-admin"');
      return reply.code(verdict.status).send({ error: verdict.error, message: verdict.message });
    },
  };

  app.post('/drain', guarded, async (_req, reply) => {
    deps.drain();
    return reply.code(202).send({ draining: true });
  });

  app.post('/undrain', guarded, async (_req, reply) => {
    if (!deps.undrain()) return reply.code(409).send({ error: 'shutting_down', draining: true, message: 'the gate is shutting down (SIGTERM): that drain cannot be undone' });
    return reply.code(200).send({ draining: false });
  });

  return app;
}
