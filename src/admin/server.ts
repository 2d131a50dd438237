import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, RealmgateError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Admission } from '../proxy/admission.js';
import type { Tunnels } from '../proxy/tunnels.js';
import type { RealmRegistry } from '../realms/registry.js';
import { redactDeep } from '../redact.js';
import { readyReport } from './health.js';

export interface AdminDeps {
  registry: RealmRegistry;
  admission: Admission;
  tunnels: Tunnels;
  metrics: Metrics;
  logger: Logger;
  draining(): boolean;
  /** POST /drain: starts draining (idempotent). */
  drain(): void;
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

  app.get('/health/live', async () => ({ status: 'ok' }));

  app.get('/health/ready', async (_req, reply) => {
    const report = readyReport(deps.registry, deps.admission, deps.draining());
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get<{ Params: { realm: string } }>('/health/ready/:realm', async (req, reply) => {
    const view = deps.registry.get(req.params.realm);
    if (!view) return reply.code(404).send({ error: 'unknown_realm', realm: req.params.realm });
    const ready = view.ready && !deps.draining();
    return reply.code(ready ? 200 : 503).send({
      realm: view.name,
      ready,
      draining: deps.draining(),
      since: new Date(view.since).toISOString(),
      queued: deps.admission.depth(view.name),
      source: view.source,
      reason: deps.registry.explain(view.name),
    });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  app.get('/status', async () => {
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
    return {
      draining: deps.draining(),
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
      ...deps.statusExtra(),
    };
  });

  app.post('/drain', async (_req, reply) => {
    deps.drain();
    return reply.code(202).send({ draining: true });
  });

  return app;
}

export async function listenAdmin(app: FastifyInstance, host: string, port: number): Promise<AddressInfo> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    throw new RealmgateError(ErrorCodes.LISTEN, `cannot listen on admin ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return app.server.address() as AddressInfo;
}
