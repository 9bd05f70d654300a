import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/controller-config.ts';

export type { Logger } from 'pino';

/**
 * Keys whose values are never written to a log line, at any depth up to REDACT_DEPTH: the names
 * secrets go by in manifests (password, apiKey, clientSecret, privateKey, keyPassword, sealed) and
 * OAuth (assertion, client_assertion), in the
 * controller's configuration (token, secret, githubSecret, genericToken) and in HTTP
 * (authorization, signatures).
 */
export const REDACTED_KEYS = [
  'password',
  'token',
  'secret',
  'apiKey',
  'privateKey',
  'authorization',
  'Authorization',
  'clientSecret',
  'keyPassword',
  'assertion',
  'client_assertion',
  'sealed',
  'githubSecret',
  'genericToken',
  'webhookSecret',
  'x-hub-signature-256',
  'x-hub-signature',
  'cookie',
] as const;

const REDACT_DEPTH = 6;

/** pino redaction paths for every key at every depth: `password`, `*.password`, `*.*.password`... */
export function redactPaths(keys: readonly string[] = REDACTED_KEYS, depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const step = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    for (let level = 0; level <= depth; level++) {
      const prefix = '*.'.repeat(level);
      paths.push(step.startsWith('[') ? (level === 0 ? step : `${prefix.slice(0, -1)}${step}`) : `${prefix}${step}`);
    }
  }
  return paths;
}

export interface LoggerOptions {
  level: LogLevel;
  /** The `service` every line names; `intctl-controller` unless told. */
  service?: string;
  /** Where lines go: standard output unless a test captures them. */
  destination?: DestinationStream;
}

/** JSON lines, one object per event, secrets redacted by key. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service ?? 'intctl-controller' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(), censor: '[Redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const REDACTED = new Set<string>(REDACTED_KEYS);

/**
 * A fastify `childLoggerFactory`: the logger of one request, as `logger.child(bindings)` makes
 * it, without its cost. pino passes every binding of a child through the redaction of every
 * path (a few hundred, for REDACTED_KEYS at every depth), also a request id that is a plain
 * string; a request's bindings that are strings under keys that are never redacted are appended
 * as JSON instead, through pino.symbols (pino's documented hook for such integrations). Anything
 * else takes pino's own path, redaction included.
 */
export function requestLogger(logger: Logger, bindings: Record<string, unknown>, options: object): Logger {
  const entries = Object.entries(bindings);
  if (Object.keys(options).length > 0 || entries.some(([key, value]) => typeof value !== 'string' || REDACTED.has(key))) return logger.child(bindings, options);
  const child = logger.child({});
  const state = child as unknown as Record<symbol, string>;
  let added = '';
  for (const [key, value] of entries) added += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  state[pino.symbols.chindingsSym] = `${state[pino.symbols.chindingsSym]}${added}`;
  return child;
}
