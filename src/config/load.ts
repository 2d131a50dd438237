import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { configSchema, type Config } from './schema.js';
import { plainMessage, positionOf } from './problems.js';
import { deepCheck } from './deep-check.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { REDACTED, redactText, redactUrl } from '../redact.js';

/** One problem found in a config: where (a dotted path, and the file position when known) and why. */
export interface ConfigProblem {
  path: string;
  message: string;
  /** "line L, column C" in the file, when the problem can be placed there. */
  where?: string;
}

/** Thrown by loadConfig/parseConfig with every problem found, not just the first. */
export class ConfigError extends RealmgateError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[], source: string) {
    super(
      ErrorCodes.CONFIG_INVALID,
      `invalid config ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.problems = problems;
  }
}

/** `path (line L, column C): message`; a problem with no key path shows its position alone. */
export function formatProblem(p: ConfigProblem): string {
  if (p.path === '') return `${p.where ?? '(top level)'}: ${p.message}`;
  return `${p.path}${p.where ? ` (${p.where})` : ''}: ${p.message}`;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_VAR = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value (not in keys).
 * Substitution happens after YAML parsing so a value can never inject YAML
 * structure; a value that is exactly one reference is re-read as a YAML scalar
 * so `port: ${PORT}` becomes a number.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, problems: ConfigProblem[], path: string[] = []): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_VAR.exec(value);
    const lookup = (name: string, fallback: string | undefined): string => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({
        path: path.join('.'),
        message: v === undefined
          ? `environment variable ${name} is not set (set it, or write \${${name}:-fallback})`
          : `environment variable ${name} is set but empty (set a value, or write \${${name}:-fallback})`,
      });
      return '';
    };
    if (whole) {
      // Only numbers and booleans are typed (`port: ${PORT}`); string keys accept them back as text.
      const text = lookup(whole[1]!, whole[2]);
      if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
      if (text === 'true' || text === 'false') return text === 'true';
      return text;
    }
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => lookup(name, fallback));
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, problems, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, problems, [...path, k])]),
    );
  }
  return value;
}

/** Parses YAML or JSON text (JSON is YAML), substitutes env, validates, freezes. */
export function parseConfig(text: string, opts: { env?: NodeJS.ProcessEnv; source?: string } = {}): Config {
  const source = opts.source ?? '(inline)';
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const at = e.linePos?.[0];
      // yaml appends " at line L, column C:" and a code frame; the position goes in `where`.
      const message = `YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
      return at ? { path: '', message, where: `line ${at.line}, column ${at.col}` } : { path: '', message };
    }), source);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', message: 'the config must be a mapping of keys (YAML or JSON object)' }], source);
  }
  const problems: ConfigProblem[] = [];
  const substituted = substituteEnv(raw, opts.env ?? process.env, problems);
  const result = configSchema.safeParse(substituted);
  // A value emptied by a missing variable fails the schema too; its env problem says it all.
  const envPaths = new Set(problems.map((p) => p.path));
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (envPaths.has(issue.path.join('.'))) continue;
      if (issue.code === 'unrecognized_keys') {
        // One line per unknown key, placed at the key itself.
        for (const key of issue.keys) problems.push({ path: [...issue.path, key].join('.'), message: 'unknown key (misspelt, or not a setting here: see docs/configuration.md)' });
      } else {
        problems.push({ path: issue.path.join('.'), message: plainMessage(issue, substituted) });
      }
    }
  }
  // Run even when the schema failed elsewhere, so every problem is reported in one go.
  crossCheck(substituted as Record<string, unknown>, problems);
  if (problems.length > 0 || !result.success) throw new ConfigError(placed(dedupe(problems), doc, lines), source);
  return deepFreeze(result.data);
}

/** A rule checked both by the schema and by crossCheck is reported once. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Adds each problem's file position and lists them in file order (the unplaced last). */
function placed(problems: ConfigProblem[], doc: Document, lines: LineCounter): ConfigProblem[] {
  const out = problems.map((p) => {
    if (p.where || p.path === '') return p;
    const where = positionOf(doc, lines, p.path.split('.'));
    return where ? { ...p, where } : p;
  });
  const key = (p: ConfigProblem) => {
    const m = /^line (\d+), column (\d+)$/.exec(p.where ?? '');
    return m ? Number(m[1]) * 1e4 + Number(m[2]) : Infinity;
  };
  return out.map((p, i) => ({ p, i })).sort((a, b) => key(a.p) - key(b.p) || a.i - b.i).map((x) => x.p);
}

/**
 * Rules that span several keys. Reads the raw (unvalidated) object
 * defensively: a wrong type here was already reported by the schema.
 */
function crossCheck(raw: Record<string, unknown>, problems: ConfigProblem[]): void {
  const realms = Array.isArray(raw.realms) ? (raw.realms as unknown[]) : [];
  const seen = new Map<string, number>();
  const pathOwner = new Map<string, string>();
  realms.forEach((r, i) => {
    const { name, paths } = (r ?? {}) as { name?: unknown; paths?: unknown };
    if (typeof name !== 'string') return;
    const other = seen.get(name);
    if (other !== undefined) problems.push({ path: `realms.${i}.name`, message: `duplicate realm "${name}" (also realms.${other})` });
    else seen.set(name, i);
    if (!Array.isArray(paths)) return;
    paths.forEach((p: unknown, j) => {
      if (typeof p !== 'string') return;
      const owner = pathOwner.get(p);
      if (owner !== undefined && owner !== name) problems.push({ path: `realms.${i}.paths.${j}`, message: `path "${p}" already belongs to realm "${owner}"` });
      else pathOwner.set(p, name);
    });
  });
  const readiness = (raw.readiness ?? {}) as { sources?: unknown };
  if (Array.isArray(readiness.sources)) {
    // Also a schema rule, but the schema checks it only once the source is otherwise valid.
    readiness.sources.forEach((s: unknown, i) => {
      const src = (s ?? {}) as Record<string, unknown>;
      if (src.type === 'crossbar' && (src.privateKeyFile === undefined) === (src.privateKeyEnv === undefined)) {
        problems.push({ path: `readiness.sources.${i}.privateKeyFile`, message: 'give exactly one of privateKeyFile or privateKeyEnv' });
      }
    });
    const sources = readiness.sources.map((s: unknown) => (s ?? {}) as { name?: unknown; type?: unknown });
    const resolved = sourceNames(sources.map((s) => ({ type: String(s.type), name: typeof s.name === 'string' ? s.name : undefined })));
    const seen = new Set<string>();
    resolved.forEach((name, i) => {
      if (seen.has(name)) problems.push({ path: `readiness.sources.${i}.name`, message: `duplicate source name "${name}" (names default to the type, then type#2, type#3…)` });
      seen.add(name);
    });
  }
  const listen = (raw.listen ?? {}) as { host?: unknown; port?: unknown };
  const admin = (raw.admin ?? {}) as { host?: unknown; port?: unknown };
  const lp = listen.port ?? 8080;
  if (lp !== 0 && lp === (admin.port ?? 9090) && (listen.host ?? '0.0.0.0') === (admin.host ?? '0.0.0.0')) {
    problems.push({ path: 'admin.port', message: 'the admin port must differ from the client port' });
  }
}

/**
 * The name each source goes by (metric label, /status): its `name`, else its type, with "#2",
 * "#3"… for repeats. Shared by validation and createSources so they can never disagree.
 */
export function sourceNames(sources: readonly { type: string; name?: string | undefined }[]): string[] {
  const counts = new Map<string, number>();
  return sources.map((s) => {
    const n = (counts.get(s.type) ?? 0) + 1;
    counts.set(s.type, n);
    return s.name ?? (n === 1 ? s.type : `${s.type}#${n}`);
  });
}

/** Reads FILE (YAML or JSON) and validates it; every problem is reported together. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RealmgateError(ErrorCodes.CONFIG_READ, `cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, { env, source: file });
}

/**
 * `check-config`: loadConfig, then what only this machine can tell (key files and variables,
 * static sources naming unconfigured realms: see deep-check.ts), reported the same way.
 */
export function loadConfigChecked(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(file, env);
  const problems = deepCheck(config, env);
  if (problems.length === 0) return config;
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  throw new ConfigError(placed(problems, doc, lines), file);
}

/**
 * The effective config with secrets replaced, for `check-config`: every URL through redactUrl()
 * (userinfo, query values, fragment), header values and the admin token replaced. Any other
 * string that embeds a URL is passed through redactText(), so a `${VAR}` that put a credential
 * into an unexpected key is caught too.
 */
export function redactConfig(config: Config): unknown {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) => {
      if (key === 'headers' && value && typeof value === 'object') {
        return Object.fromEntries(Object.keys(value).map((h) => [h, REDACTED]));
      }
      if (key === 'token' && typeof value === 'string') return REDACTED;
      if ((key === 'url' || key.endsWith('Url')) && typeof value === 'string') return redactUrl(value);
      if (typeof value === 'string') return redactText(value);
      return value;
    }),
  );
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object') {
    for (const v of Object.values(obj)) deepFreeze(v);
    Object.freeze(obj);
  }
  return obj;
}
