import { loadPrivateKey } from '../crossbar/private-key.js';
import { describeError } from '../errors.js';
import type { ConfigProblem } from './load.js';
import type { Config } from './schema.js';

/**
 * What `check-config` checks beyond the file itself, against this machine: the key files and
 * variables the crossbar sources name exist and hold a key, and static sources only name
 * configured realms. The gate itself does not refuse to start on these (a Kubernetes Secret can
 * appear after the container starts; the source then reports itself down until it does), but
 * an operator validating a config wants to hear about them now.
 */
export function deepCheck(config: Config, env: NodeJS.ProcessEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const configured = new Set(config.realms.map((r) => r.name));
  config.readiness.sources.forEach((s, i) => {
    const at = `readiness.sources.${i}`;
    if (s.type === 'crossbar') {
      const key = s.privateKeyFile !== undefined ? 'privateKeyFile' : 'privateKeyEnv';
      try {
        loadPrivateKey({ file: s.privateKeyFile, env: s.privateKeyEnv }, env);
      } catch (err) {
        problems.push({ path: `${at}.${key}`, message: describeError(err) });
      }
    }
    if (s.type === 'static' && configured.size > 0) {
      for (const list of ['ready', 'notReady'] as const) {
        s[list].forEach((realm, j) => {
          if (!configured.has(realm)) {
            problems.push({ path: `${at}.${list}.${j}`, message: `realm "${realm}" is not in realms[] (the gate guards only ${[...configured].map((r) => `"${r}"`).join(', ')})` });
          }
        });
      }
    }
  });
  return problems;
}
