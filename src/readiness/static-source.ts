import type { StaticSourceConfig } from '../config/schema.js';
import type { ReadinessSource, SourceSink } from './source.js';

/** Fixed readiness, for development and tests: `ready` realms are ready, everything else is not. */
export function createStaticSource(cfg: StaticSourceConfig, name: string): ReadinessSource {
  return {
    name,
    type: 'static',
    start(sink: SourceSink) {
      const realms: Record<string, boolean> = {};
      for (const r of cfg.notReady) realms[r] = false;
      for (const r of cfg.ready) realms[r] = true;
      sink.snapshot(realms);
    },
    close: async () => {},
    destroy: () => {},
  };
}
