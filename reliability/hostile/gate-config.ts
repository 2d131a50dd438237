/**
 * What the gate under test supports, asked of the gate itself: `realmgate check-config` prints the
 * effective config (defaults filled in) and rejects unknown keys (every object is strict). The
 * hostile checks run against older and newer gates alike, so a key such as
 * `limits.preAdmissionBytes` is only passed when this says the gate knows it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '../../src/main.ts');

/** `check-config` on `config`: exit code, stdout (the effective config as JSON on success) and stderr. */
export async function checkConfig(config: object, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; effective?: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-hostile-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'check-config', '--config', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  clearTimeout(timer);
  let effective: Record<string, unknown> | undefined;
  if (code === 0) {
    try {
      effective = JSON.parse(stdout) as Record<string, unknown>;
    } catch {
      effective = undefined;
    }
  }
  return { code, stdout, stderr, ...(effective ? { effective } : {}) };
}

/** The value at a dotted path of an object, or undefined. */
export function at(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The first key (dotted path) under `obj` whose name matches `re`, depth-first. */
export function findKey(obj: unknown, re: RegExp, prefix = ''): { path: string; value: unknown } | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (re.test(k)) return { path, value: v };
    const deeper = findKey(v, re, path);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The gate's hardening knobs as its effective default config shows them (absent = not supported). */
export interface GateKnobs {
  /** The memory budget key (expected `limits.preAdmissionBytes`) and its default. */
  preAdmission?: { path: string; bytes: number };
  /** The connection limit key (expected `listen.maxConnections`) and its default. */
  maxConnections?: { path: string; value: number };
  /** A head timeout key (name matched loosely: /head.*timeout/i, e.g. `listen.headTimeoutMs`) and its default. */
  headTimeout?: { path: string; ms: number };
  /** `admin.host` default. */
  adminHost: string;
}

let cached: Promise<GateKnobs> | undefined;

/**
 * Asks the gate once per suite process, and keeps the answer in the temp dir keyed by the content
 * of the files that decide it (a check-config run is a process start: seconds on a busy machine,
 * paid again by every `npm test` file otherwise).
 */
export function gateKnobs(): Promise<GateKnobs> {
  cached ??= (async () => {
    const hash = createHash('sha256');
    for (const f of ['config/schema.ts', 'config/load.ts', 'main.ts']) hash.update(readFileSync(join(import.meta.dirname, '../../src', f)));
    const file = join(tmpdir(), `realmgate-knobs-${hash.digest('hex').slice(0, 16)}.json`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as GateKnobs;
    } catch {
      const { knobs, asked } = await askGate();
      if (asked) writeFileSync(file, JSON.stringify(knobs));
      return knobs;
    }
  })();
  return cached;
}

async function askGate(): Promise<{ knobs: GateKnobs; asked: boolean }> {
  const { effective } = await checkConfig({ upstream: { url: 'http://127.0.0.1:1' }, readiness: { sources: [{ type: 'static' }] } });
  // Keys are looked for by name anywhere in the config, so a key placed under another parent is still found.
  const numeric = (re: RegExp): { path: string; value: number } | undefined => {
    const k = findKey(effective, re);
    return k && typeof k.value === 'number' ? { path: k.path, value: k.value } : undefined;
  };
  const budget = numeric(/^preAdmission(Bytes|MaxBytes)?$/i);
  const conns = numeric(/^maxConnections$/);
  const head = numeric(/head.*timeout/i);
  const knobs = {
    ...(budget ? { preAdmission: { path: budget.path, bytes: budget.value } } : {}),
    ...(conns ? { maxConnections: conns } : {}),
    ...(head ? { headTimeout: { path: head.path, ms: head.value } } : {}),
    adminHost: String(at(effective, 'admin.host') ?? '?'),
  };
  return { knobs, asked: effective !== undefined };
}

/** `base` with `value` set at the dotted `path` (objects on the way created/copied). */
export function withKey<T extends object>(base: T, path: string, value: unknown): T {
  const out = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) {
    o[k] = typeof o[k] === 'object' && o[k] !== null ? o[k] : {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
  return out as T;
}
