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
