import { z } from 'zod';
import { isUsableNodeAuthid } from '../crossbar/node-events.js';
import { isValidRealm } from '../wamp/hello.js';

/**
 * The config file's schema: the single place where keys, types and defaults
 * live. Every object is strict, so a misspelt or removed key is an error
 * instead of a silently ignored setting.
 */

const port = z.number().int().min(0).max(65535);
/**
 * A non-empty string that also takes a number or boolean as text: `${NODE_AUTHID}` = `123` is
 * substituted as a number (so `port: ${PORT}` works) and must still be a valid node name.
 */
const text = () => z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), z.string().min(1));
const host = text();
const durationMs = z.number().int().min(0);
const positiveMs = z.number().int().min(1);
/** The same rule the gate applies to a realm in a HELLO or a hint (Crossbar's loose URI). */
const realmName = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string()).refine(isValidRealm, 'must be a WAMP URI: dot-separated, no spaces or "#", at most 255 characters');

export const onNotReadyValues = ['queue', 'reject', 'pass'] as const;
const onNotReady = z.enum(onNotReadyValues);

function urlWith(protocols: RegExp, what: string) {
  return z.string().refine((u) => {
    try {
      return protocols.test(new URL(u).protocol);
    } catch {
      return false;
    }
  }, `must be a ${what} URL`);
}
const httpUrl = urlWith(/^https?:$/, 'http:// or https://');
const wsUrl = urlWith(/^wss?:$/, 'ws:// or wss://');
/** RawSocket upstream: tcp://host:port (the port is required: RawSocket has no default port). */
const tcpUrl = z.string().refine((u) => {
  try {
    const url = new URL(u);
    return url.protocol === 'tcp:' && url.hostname !== '' && url.port !== '' && (url.pathname === '' || url.pathname === '/');
  } catch {
    return false;
  }
}, 'must be a tcp://host:port URL');

const realmPolicyFields = {
  onNotReady: onNotReady.optional(),
  queueTimeoutMs: positiveMs.optional(),
  maxQueued: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  releasePerSecond: z.number().min(0).optional(),
};

const defaultsSchema = z
  .strictObject({
    onNotReady: onNotReady.default('queue'),
    queueTimeoutMs: positiveMs.default(30_000),
    maxQueued: z.number().int().min(0).default(1000),
    retryAfterSeconds: z.number().int().min(0).default(5),
    releasePerSecond: z.number().min(0).default(0),
  })
  .prefault({});

const realmSchema = z.strictObject({
  name: realmName,
  required: z.boolean().default(true),
  paths: z.array(z.string().regex(/^\//, 'must start with "/"')).default([]),
  ...realmPolicyFields,
});

const sourceName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
  .optional();

const crossbarSource = z
  .strictObject({
    type: z.literal('crossbar'),
    name: sourceName,
    url: wsUrl,
    realm: text().default('default'),
    authid: text(),
    authrole: text().default('owner'),
    privateKeyFile: z.string().min(1).optional(),
    privateKeyEnv: z.string().min(1).optional(),
    /** The node's authid; dots are fine (the default authid is the host name), empty components are not. */
    node: text().refine(isUsableNodeAuthid, 'must be the node authid: dot-separated non-empty parts without spaces or "#" (it is written into the master\'s topics and URIs)'),
    webcluster: text(),
    pollIntervalMs: positiveMs.default(2000),
    /** Between full polls, read only the node's status this often (0 = rely on polls and node events). */
    nodeCheckIntervalMs: durationMs.default(500),
    /** Full-poll interval once the node is settled and the master's events are flowing (on_tick seen). */
    safetyPollIntervalMs: positiveMs.default(30_000),
    callTimeoutMs: positiveMs.default(5000),
    subscribe: z.boolean().default(true),
    /** Optional role check: a realm is ready only if some route maps each of these roles. */
    roles: z.array(text()).default([]),
    reconnect: z
      .strictObject({ initialDelayMs: positiveMs.default(500), maxDelayMs: positiveMs.default(10_000) })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    if ((s.privateKeyFile === undefined) === (s.privateKeyEnv === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['privateKeyFile'],
        message: 'give exactly one of privateKeyFile or privateKeyEnv',
      });
    }
  });

const probeSource = z.strictObject({
  type: z.literal('probe'),
  name: sourceName,
  /** WebSocket URL probed; default: upstream.url as ws(s) with `path`. */
  url: wsUrl.optional(),
  path: z.string().regex(/^\//).default('/ws'),
  intervalMs: positiveMs.default(1000),
  timeoutMs: positiveMs.default(3000),
  /** Consecutive equal results needed before the probe flips a realm (parallel workers share a port). */
  consecutive: z.number().int().min(1).max(100).default(2),
  serializer: z.enum(['json', 'msgpack', 'cbor']).default('json'),
});

const httpSource = z.strictObject({
  type: z.literal('http'),
  name: sourceName,
  url: httpUrl,
  intervalMs: positiveMs.default(1000),
  timeoutMs: positiveMs.default(3000),
  headers: z.record(z.string(), z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string())).default({}),
});

const staticSource = z.strictObject({
  type: z.literal('static'),
  name: sourceName,
  ready: z.array(realmName).default([]),
  notReady: z.array(realmName).default([]),
});

/** TLS on the client port; files are re-read when they change (cert-manager rotation). */
const listenTls = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  /** Given: clients must present a certificate signed by this CA. */
  caFile: z.string().min(1).optional(),
  /** How often the files are checked for a change (stat + read; a swap of a Kubernetes secret symlink counts). */
  watchIntervalMs: positiveMs.default(5000),
});

/** Verification of an https:// upstream; `insecure: true` is the only way to skip it. */
const upstreamTls = z.strictObject({
  caFile: z.string().min(1).optional(),
  servername: z.string().min(1).optional(),
  insecure: z.boolean().default(false),
});

export const sourceSchema = z.discriminatedUnion('type', [crossbarSource, probeSource, httpSource, staticSource]);

export const configSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: host.default('0.0.0.0'),
        port: port.default(8080),
        /** Client connections open at once; past it a new one is answered 503 overload and closed. */
        maxConnections: z.number().int().min(1).default(20_000),
        /** A request head must be complete within this (slow-loris bound); 408 after it. */
        headersTimeoutMs: positiveMs.default(10_000),
        tls: listenTls.optional(),
        /** Optional RawSocket-only port (RawSocket clients are also accepted on `port`, by first byte 0x7F). */
        rawsocket: port.optional(),
      })
      .prefault({}),
    admin: z
      .strictObject({
        // 0.0.0.0: kubelet probes and Prometheus reach the pod IP, not loopback. The one state
        // change, POST /drain|/undrain, is protected by the drain guard instead (docs/security.md).
        host: host.default('0.0.0.0'),
        port: port.default(9090),
        /** Bearer token that authorizes POST /drain and /undrain from anywhere (docs/security.md). */
        token: z.string().min(16, 'at least 16 characters').optional(),
        /** File holding the token (e.g. a mounted Secret); surrounding whitespace is ignored. */
        tokenFile: z.string().min(1).optional(),
        /** true: the token is needed even from loopback. false: loopback needs no token. */
        requireToken: z.boolean().default(false),
        /**
         * /health/live answers 503 once the main event loop has not run for this long. The probe is
         * answered by the admin worker thread, so a busy loop does not slow it; a stuck one fails it.
         */
        livenessStallMs: positiveMs.default(10_000),
      })
      .superRefine((a, ctx) => {
        if (a.token !== undefined && a.tokenFile !== undefined) ctx.addIssue({ code: 'custom', path: ['tokenFile'], message: 'give token or tokenFile, not both' });
        if (a.requireToken && a.token === undefined && a.tokenFile === undefined) ctx.addIssue({ code: 'custom', path: ['requireToken'], message: 'requireToken needs token or tokenFile' });
      })
      .prefault({}),
    upstream: z.strictObject({
      url: httpUrl,
      /** Deadline for the upstream TCP connect + handshake of an admitted client. */
      connectTimeoutMs: positiveMs.default(10_000),
      /**
       * Upstream connections opened and not yet answered, at most; more wait their turn. Keeps a
       * release burst inside the upstream's listen queue (Twisted's default backlog is 50), where
       * an overflow costs dropped SYNs retried after 1 s, 3 s, 7 s (see proxy/connect-slots.ts).
       */
      maxConnecting: z.number().int().min(1).max(65_536).default(32),
      tls: upstreamTls.optional(),
      /** Where RawSocket clients go; default: url's host and port (a Crossbar universal transport). */
      rawsocketUrl: tcpUrl.optional(),
    }),
    defaults: defaultsSchema,
    realms: z.array(realmSchema).default([]),
    unknownRealm: z.enum(['pass', 'reject']).default('pass'),
    realmFrom: z
      .array(z.enum(['path', 'query', 'header', 'hello']))
      .min(1)
      .default(['path', 'query', 'hello']),
    maxQueuedTotal: z.number().int().min(0).default(10_000),
    /** Hostile-client bounds (docs/limits.md). */
    limits: z
      .strictObject({
        /** Ceiling for everything held before admission, all connections together (bytes). */
        preAdmissionBytes: z.number().int().min(1024 * 1024).default(128 * 1024 * 1024),
        /** Fixed cost charged per connection held before admission (bytes). */
        connectionOverheadBytes: z.number().int().min(0).default(10 * 1024),
      })
      .prefault({}),
    hello: z
      .strictObject({
        timeoutMs: positiveMs.default(10_000),
        maxBytes: z.number().int().min(64).max(16 * 1024 * 1024).default(65_536),
        readmitOnAbort: z.boolean().default(true),
        readmitMaxDelayMs: positiveMs.default(2000),
      })
      .prefault({}),
    readiness: z
      .strictObject({
        combine: z.enum(['all', 'any']).default('all'),
        staleAfterMs: positiveMs.default(15_000),
        onStale: z.enum(['keep', 'notReady']).default('keep'),
        failOpenAfterMs: positiveMs.nullable().default(null),
        /**
         * Some workers route a realm and others do not: `hold` keeps every client until all do;
         * `readmit` admits HELLO-mode clients and re-admits them after an upstream no_such_realm
         * until they reach a routed worker (upgrade-time clients are held either way).
         */
        partial: z.enum(['hold', 'readmit']).default('readmit'),
        sources: z.array(sourceSchema).min(1, 'list at least one readiness source'),
      }),
    shutdown: z
      .strictObject({ delayMs: durationMs.default(5000), drainTimeoutMs: durationMs.default(30_000) })
      .prefault({}),
    log: z.strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      /** One line per connection outcome: none, every one, or a random `accessSampleRate` share. */
      access: z.enum(['off', 'all', 'sample']).default('off'),
      accessSampleRate: z.number().min(0).max(1).default(0.01),
    }).prefault({}),
  })
  ;

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type SourceConfig = Config['readiness']['sources'][number];
export type CrossbarSourceConfig = Extract<SourceConfig, { type: 'crossbar' }>;
export type ProbeSourceConfig = Extract<SourceConfig, { type: 'probe' }>;
export type HttpSourceConfig = Extract<SourceConfig, { type: 'http' }>;
export type StaticSourceConfig = Extract<SourceConfig, { type: 'static' }>;
export type ListenTlsConfig = NonNullable<Config['listen']['tls']>;
export type UpstreamTlsConfig = NonNullable<Config['upstream']['tls']>;
export type RealmConfig = Config['realms'][number];
export type OnNotReady = (typeof onNotReadyValues)[number];
