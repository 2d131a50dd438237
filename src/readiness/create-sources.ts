import { sourceNames } from '../config/load.js';
import type { SourceConfig } from '../config/schema.js';
import { createHttpSource } from './http-source.js';
import type { ReadinessSource, SourceContext } from './source.js';
import { createStaticSource } from './static-source.js';

/**
 * Builds the configured sources. Names default to the type, with "#2", "#3"…
 * for repeats, so metric labels stay unique. The crossbar and probe sources are
 * loaded on demand: a gate that does not use them never loads autobahn.
 * `discover`: no realms are configured, so the crossbar source finds them (arealms of this webcluster).
 */
export async function createSources(
  configs: readonly SourceConfig[],
  ctx: SourceContext,
  opts: { discover: boolean },
): Promise<ReadinessSource[]> {
  const names = sourceNames(configs);
  const out: ReadinessSource[] = [];
  for (const [i, cfg] of configs.entries()) {
    const name = names[i]!;
    switch (cfg.type) {
      case 'static':
        out.push(createStaticSource(cfg, name));
        break;
      case 'http':
        out.push(createHttpSource(cfg, name, ctx));
        break;
      case 'crossbar': {
        const { createCrossbarSource } = await import('./crossbar-source.js');
        out.push(createCrossbarSource(cfg, ctx, { name, discover: opts.discover }));
        break;
      }
      case 'probe': {
        const { createProbeSource } = await import('./probe-source.js');
        out.push(createProbeSource(cfg, ctx, { name }));
        break;
      }
    }
  }
  return out;
}
