// The few tests that need something besides Node and npm packages, and what each needs.
// scripts/run-tests.mjs reads this before a run: a missing tool is installed with apt when the
// run is root (as .ci/run and a fresh container are); otherwise the tests that need it are left
// out with one line naming what to install. Under CI=true nothing is ever left out: the tests run
// and fail with the same instructions, so a green CI always means every test ran.
//
// A test file says what it needs in a comment in its first lines: `// needs: python3-autobahn`
// (several: `// needs: promtool, chart-tools`). Every file under test/chart/ needs chart-tools.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('..', import.meta.url).pathname;

function runs(cmd, args) {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
  } catch {
    return false;
  }
}

/** What each requirement is, how to tell it is there, and the Debian packages that bring it. */
export const REQUIREMENTS = {
  'python3-autobahn': {
    what: "autobahn-python under Debian's /usr/bin/python3 (the autobahn-python client tests)",
    // python3-cbor2: autobahn's CBORSerializer (the cbor RawSocket client test).
    packages: ['python3-autobahn', 'python3-cbor2'],
    // Submodules, not just the names: an empty leftover `autobahn/` dir imports as a namespace package.
    present: () => runs('/usr/bin/python3', ['-c', 'import autobahn.wamp.types, txaio.aio, cbor2']),
  },
  'chart-tools': {
    what: 'Go + Sprig + sigs.k8s.io/yaml for the chart renderer tools/helm-render (the chart tests)',
    packages: ['golang-1.19-go', 'golang-github-masterminds-sprig-dev', 'golang-k8s-sigs-yaml-dev'],
    script: 'scripts/install-chart-tools.sh',
    present: () =>
      (existsSync('/usr/lib/go-1.19/bin/go') || runs('go', ['version'])) &&
      existsSync('/usr/share/gocode/src/github.com/Masterminds/sprig') &&
      existsSync('/usr/share/gocode/src/sigs.k8s.io/yaml'),
  },
  openssl: {
    what: 'the openssl command (throwaway CA and certificates for the TLS tests)',
    packages: ['openssl'],
    present: () => runs('openssl', ['version']),
  },
  promtool: {
    what: "Prometheus' promtool (checks /metrics, the alert rules and their unit tests)",
    packages: ['prometheus'],
    present: () => runs('promtool', ['--version']),
  },
};

/**
 * Whether a requirement is there. REALMGATE_TEST_PRETEND_MISSING=name,name makes these look
 * absent and uninstallable, so the skip path can be tried (and tested) on a machine that has them.
 */
export function present(name) {
  return !pretendMissing().includes(name) && REQUIREMENTS[name].present();
}

export function pretendMissing() {
  return (process.env.REALMGATE_TEST_PRETEND_MISSING ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The requirement names a test file declares (see the header of this file). */
export function needsOf(file) {
  const needs = new Set();
  if (file.startsWith('test/chart/')) needs.add('chart-tools');
  const head = readFileSync(join(repoRoot, file), 'utf8').split('\n', 20).join('\n');
  for (const m of head.matchAll(/^\/\/ needs: (.+)$/gm)) {
    for (const n of m[1].split(',')) {
      const name = n.trim();
      if (!(name in REQUIREMENTS)) throw new Error(`${file}: unknown requirement "${name}" (known: ${Object.keys(REQUIREMENTS).join(', ')})`);
      needs.add(name);
    }
  }
  return [...needs];
}

/** How to get a requirement, as one shell command a reader can paste. */
export function installHint(name) {
  const r = REQUIREMENTS[name];
  return r.script ? `sudo bash ${r.script}` : `sudo apt-get install -y ${r.packages.join(' ')}`;
}

/**
 * What to do about the requirements missing for a run: install them (root with apt), run the
 * tests anyway so they fail (CI), or leave their tests out. Pure, so it is unit-tested.
 * @param {{ missing: string[], root: boolean, apt: boolean, ci: boolean }} s
 * @returns {{ install: string[], skip: string[], failing: string[] }}
 */
export function plan({ missing, root, apt, ci }) {
  if (missing.length === 0) return { install: [], skip: [], failing: [] };
  if (root && apt) return { install: missing, skip: [], failing: [] };
  if (ci) return { install: [], skip: [], failing: missing };
  return { install: [], skip: missing, failing: [] };
}

/** Installs requirements with apt (root only); returns the names still missing afterwards. */
export function install(names, log) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`run-tests: installing ${names.map((n) => REQUIREMENTS[n].packages.join(' ')).join(' ')} (apt, as root)`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  for (const name of names) {
    const r = REQUIREMENTS[name];
    if (r.script) spawnSync('bash', [join(repoRoot, r.script)], { stdio: ['ignore', 'ignore', 'inherit'], env });
    else spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...r.packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  }
  return names.filter((n) => !present(n));
}
