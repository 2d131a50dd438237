import { ConfigError, loadConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Realmgate } from '../realmgate.js';

/**
 * What SIGHUP does: re-read and validate the file, then apply it in place. Every failure is
 * logged and leaves the running config serving: an invalid file (every problem listed), a change
 * that needs a new listener (the keys named), a source that cannot be built.
 */
export async function reloadFromFile(gate: Pick<Realmgate, 'reload'>, file: string, log: Logger): Promise<void> {
  log.info({ file }, 'SIGHUP: reloading the config');
  let next;
  try {
    next = loadConfig(file);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : undefined;
    log.error({ file, problems, err: problems ? undefined : describeError(err) },
      'config reload refused: the file is invalid - the running config stays in force');
    return;
  }
  try {
    const r = await gate.reload(next);
    if (!r.applied) {
      log.error({ file, keys: r.keys },
        `config reload refused: ${r.keys.join(', ')} changed, which needs a restart (new listener) - the running config stays in force`);
      return;
    }
    log.info({ file, changed: r.changed, sources: r.sources, realms: r.realms }, 'config reloaded: open tunnels and held clients kept');
  } catch (err) {
    log.error({ file, err: describeError(err) }, 'config reload failed - the running config stays in force');
  }
}
