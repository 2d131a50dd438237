/**
 * Shared harness for the chart tests: builds tools/helm-render once per test
 * process into .tmp/helm-render (the Go build cache makes repeats cheap), renders
 * helm/realmgate with given values files and parses the multi-document output.
 * With no Go toolchain it throws, telling to run scripts/install-chart-tools.sh;
 * scripts/run-tests.mjs installs it first (root) or leaves test/chart/ out with
 * one line saying so (never under CI=true).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const repoRoot = new URL('../..', import.meta.url).pathname;
export const chartDir = join(repoRoot, 'helm/realmgate');
const cacheDir = join(repoRoot, '.tmp/helm-render');
const binary = join(cacheDir, 'helm-render');
const sourceDir = join(repoRoot, 'tools/helm-render');

/** A rendered Kubernetes object with the template file it came from. */
export interface RenderedObject {
  source: string;
  obj: { apiVersion: string; kind: string; metadata: { name: string; [k: string]: unknown }; [k: string]: unknown };
}

/** The `ci/*-values.yaml` files, as absolute paths, sorted. */
export function ciValuesFiles(): string[] {
  return readdirSync(join(chartDir, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .sort()
    .map((f) => join(chartDir, 'ci', f));
}

/** Default values merged with each variant, as the chart's variants to test: [label, files]. */
export function variants(): Array<[string, string[]]> {
  return [['default', []], ...ciValuesFiles().map((f): [string, string[]] => [f.slice(f.lastIndexOf('/') + 1), [f]])];
}

function newestSourceMtime(): number {
  return Math.max(...readdirSync(sourceDir).map((f) => statSync(join(sourceDir, f)).mtimeMs));
}

/** Path of a current helm-render binary, building it when missing or older than its sources. */
export function helmRender(): string {
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestSourceMtime()) return binary;
  mkdirSync(cacheDir, { recursive: true });
  const r = spawnSync('bash', [join(sourceDir, 'build.sh'), binary], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `cannot build tools/helm-render (exit ${r.status}): ${r.stderr.trim()}\n` +
        'The chart tests need Go + Sprig from Debian packages: run scripts/install-chart-tools.sh',
    );
  }
  return binary;
}

/** Options of one render, mirroring `helm template` flags. */
export interface RenderOptions {
  valuesFiles?: string[];
  set?: string[];
  kubeVersion?: string;
  apiVersions?: string[];
  releaseName?: string;
  namespace?: string;
  notes?: boolean;
}

function renderArgs(o: RenderOptions): string[] {
  const args = ['--name', o.releaseName ?? 'rg', '--namespace', o.namespace ?? 'crossbar'];
  for (const f of o.valuesFiles ?? []) args.push('-f', f);
  for (const s of o.set ?? []) args.push('--set', s);
  if (o.kubeVersion) args.push('--kube-version', o.kubeVersion);
  for (const a of o.apiVersions ?? []) args.push('--api-versions', a);
  if (o.notes) args.push('--notes');
  args.push(chartDir);
  return args;
}

/** Renders the chart; throws with helm-render's stderr when a template fails. */
export function renderText(o: RenderOptions = {}): string {
  return execFileSync(helmRender(), renderArgs(o), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Renders and expects failure; returns the error text (stderr). */
export function renderError(o: RenderOptions): string {
  const r = spawnSync(helmRender(), renderArgs(o), { encoding: 'utf8' });
  if (r.status === 0) throw new Error('render succeeded but was expected to fail');
  return r.stderr;
}

/** Renders and parses every document; each must be valid YAML holding one object. */
export function render(o: RenderOptions = {}): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const chunk of renderText(o).split(/^---$/m)) {
    if (chunk.trim() === '') continue;
    const source = /^# Source: (\S+)$/m.exec(chunk)?.[1] ?? '';
    const docs = parseAllDocuments(chunk);
    if (docs.length !== 1) throw new Error(`${source}: want one YAML document per chunk, got ${docs.length}`);
    const doc = docs[0]!;
    if (doc.errors.length > 0) throw new Error(`${source}: invalid YAML: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as RenderedObject['obj'] | null;
    if (obj !== null) out.push({ source, obj });
  }
  return out;
}

/** The one object of a kind (and optional name suffix); throws if absent or ambiguous. */
export function only(objs: RenderedObject[], kind: string, nameSuffix = ''): RenderedObject['obj'] {
  const found = objs.filter((o) => o.obj.kind === kind && o.obj.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`want one ${kind}*${nameSuffix}, found ${found.length}`);
  return found[0]!.obj;
}

/** The chart's values.yaml merged with the given files, as helm merges them (maps deep, lists replaced). */
export function mergedValues(files: string[]): Record<string, unknown> {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === null) return undefined;
    if (isObj(a) && isObj(b)) {
      const r: Record<string, unknown> = { ...a };
      for (const [k, v] of Object.entries(b)) {
        const m = merge(a[k], v);
        if (m === undefined) delete r[k];
        else r[k] = m;
      }
      return r;
    }
    return b;
  };
  let v: unknown = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
  for (const f of files) v = merge(v, parseYaml(readFileSync(f, 'utf8')) ?? {});
  return v as Record<string, unknown>;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
