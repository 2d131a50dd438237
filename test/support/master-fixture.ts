import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { TestContext } from 'node:test';
import { generateCryptosignKey } from '../../src/crossbar/cryptosign.js';
import { systemClock } from '../../src/clock.js';
import { configSchema, type CrossbarSourceConfig } from '../../src/config/schema.js';
import { silentLogger, type Logger, REDACT_PATHS } from '../../src/logger.js';
import type { SourceContext, SourceSink } from '../../src/readiness/source.js';
import { SimulatedMaster } from '../../src/simulator/master-api.js';

/** OIDs are UUID strings on the wire (crossbar-facts §2). */
export const NODE_OID = '4a3b2c1d-0000-4000-8000-000000000001';
export const OTHER_NODE_OID = '4a3b2c1d-0000-4000-8000-000000000002';
export const WC_OID = '9fbe067c-5e4f-4d3c-8b2a-1a2b3c4d5e6f';
export const WORKERS = ['cpw-9fbe067c-0', 'cpw-9fbe067c-1'] as const;

/** One observation the source wrote into the sink. */
export type SinkCall =
  | { kind: 'snapshot' | 'update'; realms: Record<string, boolean>; at: number }
  | { kind: 'discover'; realms: string[]; at: number }
  | { kind: 'fail'; error: unknown; at: number }
  | { kind: 'detail'; info: Record<string, unknown>; at: number };

/**
 * A SourceSink that records every call and keeps the combined view the registry would:
 * snapshot replaces, update merges. Emits 'call' for each, so tests await conditions.
 */
export class RecordingSink extends EventEmitter implements SourceSink {
  readonly calls: SinkCall[] = [];
  state: Record<string, boolean> = {};
  up = false;
  lastDetail: Record<string, unknown> = {};

  snapshot(realms: Readonly<Record<string, boolean>>): void {
    this.state = { ...realms };
    this.up = true;
    this.record({ kind: 'snapshot', realms: { ...realms }, at: performance.now() });
  }
  update(realms: Readonly<Record<string, boolean>>): void {
    this.state = { ...this.state, ...realms };
    this.up = true;
    this.record({ kind: 'update', realms: { ...realms }, at: performance.now() });
  }
  discover(realms: readonly string[]): void {
    this.record({ kind: 'discover', realms: [...realms], at: performance.now() });
  }
  fail(error: unknown): void {
    this.up = false;
    this.record({ kind: 'fail', error, at: performance.now() });
  }
  detail(info: Record<string, unknown>): void {
    this.lastDetail = info;
    this.record({ kind: 'detail', info, at: performance.now() });
  }
  ready(realm: string): boolean {
    return this.state[realm] === true;
  }
  failures(): unknown[] {
    return this.calls.flatMap((c) => (c.kind === 'fail' ? [c.error] : []));
  }
  /** Resolves with the first call (from now, or already recorded if `past`) for which `pred` holds. */
  waitFor(pred: (sink: this, call: SinkCall | undefined) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (pred(this, undefined)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('call', onCall);
        reject(new Error(`timed out waiting for ${what}; last calls: ${JSON.stringify(this.calls.slice(-5).map(brief))}`));
      }, timeoutMs);
      const onCall = (call: SinkCall): void => {
        if (!pred(this, call)) return;
        clearTimeout(timer);
        this.off('call', onCall);
        resolve();
      };
      this.on('call', onCall);
    });
  }
  private record(call: SinkCall): void {
    this.calls.push(call);
    this.emit('call', call);
  }
}

function brief(c: SinkCall): unknown {
  return c.kind === 'fail' ? { kind: c.kind, error: String((c.error as Error)?.message ?? c.error) } : c.kind === 'detail' ? { kind: c.kind } : c;
}

/** A master with node1 (parallel 2, webcluster cluster1), node2 and two arealms of cluster1. */
export async function startMaster(t: TestContext, opts: { arealms?: { name: string; status: string; webclusterOid?: string | null }[] } = {}) {
  const key = generateCryptosignKey();
  const master = new SimulatedMaster({
    superusers: [key.publicKeyHex],
    nodes: [{ authid: 'node1', oid: NODE_OID }, { authid: 'node2', oid: OTHER_NODE_OID }],
    webclusters: [{ name: 'cluster1', oid: WC_OID, members: [{ nodeAuthid: 'node1', parallel: 2 }, { nodeAuthid: 'node2', parallel: 1 }] }],
    arealms: (opts.arealms ?? [{ name: 'realm1', status: 'STARTING' }, { name: 'realm2', status: 'RUNNING' }]).map((a, i) => ({
      name: a.name,
      oid: `aaaaaaa${i}-0000-4000-8000-000000000000`,
      webclusterOid: a.webclusterOid === undefined ? WC_OID : a.webclusterOid,
      status: a.status,
    })),
  });
  t.after(() => master.destroy());
  const { url, port } = await master.listen();
  return { master, key, url, port };
}

/** A validated `type: crossbar` source config (schema defaults applied). */
export function crossbarConfig(url: string, envName: string, over: Record<string, unknown> = {}): CrossbarSourceConfig {
  const cfg = configSchema.parse({
    upstream: { url: 'http://127.0.0.1:1' },
    readiness: {
      sources: [{ type: 'crossbar', url, authid: 'realmgate', privateKeyEnv: envName, node: 'node1', webcluster: 'cluster1', ...over }],
    },
  });
  return cfg.readiness.sources[0] as CrossbarSourceConfig;
}

/** A logger that keeps every line (as text) so tests can check what was — and was not — logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, dest);
  return { logger, lines };
}

export function sourceContext(logger: Logger = silentLogger(), realms: () => readonly string[] = () => []): SourceContext {
  return { upstreamUrl: 'http://127.0.0.1:1', realms, logger, clock: systemClock };
}
