/**
 * The notifications part of the controller's configuration: which providers are told of which
 * events. Pure: read-config.ts reads the file (the controller's own, or the one
 * INTCTL_NOTIFICATIONS_FILE names) and the secret files, and hands them over.
 */
import { resolve } from 'node:path';
import { editDistance } from '../core/edit-distance.ts';

/** The providers intctl can notify; each has a folder in controller/notifications/providers/. */
export type NotificationProviderKind = 'slack' | 'teams' | 'webhook';
export const NOTIFICATION_PROVIDER_KINDS: readonly NotificationProviderKind[] = ['slack', 'teams', 'webhook'];

/** What a provider can be told of: transitions of an environment's status (docs/operations.md#notifications). */
export type NotificationEventKind = 'Stalled' | 'AwaitingApproval' | 'Drifted' | 'AppliedToProtected' | 'BreakingChangeRefused';
export const NOTIFICATION_EVENT_KINDS: readonly NotificationEventKind[] = ['Stalled', 'AwaitingApproval', 'Drifted', 'AppliedToProtected', 'BreakingChangeRefused'];

/** One provider, with its secrets read. The URL is a secret too: Slack's and Teams' carry their token. */
export interface NotificationProviderConfig {
  /** Unique; names the provider in logs and metrics. */
  name: string;
  kind: NotificationProviderKind;
  url: string;
  /** The webhook provider's HMAC-SHA256 key. */
  secret?: string;
  /** The events it is told of: all when not given. */
  events: readonly NotificationEventKind[];
  /** The environments it is told about: all when not given. */
  environments?: readonly string[];
}

export interface NotificationsConfig {
  providers: NotificationProviderConfig[];
  /** The same event (provider, environment, kind, reason, commit) is sent once within this window. */
  dedupeWindowMs: number;
  /** At most this many deliveries a minute to one provider; past it, events are dropped (and counted). */
  ratePerMinute: number;
  /** Tries per delivery, the first included; retried with backoff on network errors, 429 and 5xx. */
  maxAttempts: number;
  /** How long one request may take. */
  timeoutMs: number;
}

export const DEFAULT_NOTIFICATIONS: NotificationsConfig = { providers: [], dedupeWindowMs: 600_000, ratePerMinute: 20, maxAttempts: 5, timeoutMs: 10_000 };

/** A provider before its secret files are read: their paths stand where the values will. */
export type NotificationProviderFiles = Omit<NotificationProviderConfig, 'url' | 'secret'> & {
  urlFile: string;
  secretFile?: string;
  /** Where it was given (`notifications.providers[2]`), for messages about its files. */
  field: string;
};

export type NotificationsWithoutSecrets = Omit<NotificationsConfig, 'providers'> & { providers: NotificationProviderFiles[] };

const TOP_FIELDS = ['providers', 'dedupeWindowMs', 'ratePerMinute', 'maxAttempts', 'timeoutMs'] as const;
const PROVIDER_FIELDS = ['name', 'type', 'urlFile', 'secretFile', 'events', 'environments'] as const;

/**
 * Validates a `notifications` mapping (`where` names it in messages: `notifications` in the
 * controller's file, or the file INTCTL_NOTIFICATIONS_FILE names). Relative file paths resolve
 * against `base`. Every problem at once, each naming its field; a URL is never given inline.
 */
export function validateNotifications(document: unknown, base: string, where: string): { config: NotificationsWithoutSecrets; problems: string[] } {
  const problems: string[] = [];
  const config: NotificationsWithoutSecrets = { ...DEFAULT_NOTIFICATIONS, providers: [] };
  if (document === undefined || document === null) return { config, problems };
  if (!isMapping(document)) return { config, problems: [`${where}: must be a mapping with providers`] };
  for (const key of Object.keys(document)) {
    if (!(TOP_FIELDS as readonly string[]).includes(key)) problems.push(`${where}.${key}: unknown field${suggest(key, TOP_FIELDS)}`);
  }
  for (const field of ['dedupeWindowMs', 'ratePerMinute', 'maxAttempts', 'timeoutMs'] as const) {
    const value = document[field];
    if (value === undefined) continue;
    const zeroAllowed = field === 'dedupeWindowMs';
    if (typeof value === 'number' && Number.isInteger(value) && (zeroAllowed ? value >= 0 : value > 0)) config[field] = value;
    else problems.push(`${where}.${field}: must be a ${zeroAllowed ? 'whole number, 0 or more' : 'positive whole number'}, not ${show(value)}`);
  }
  const providers = document.providers ?? [];
  if (!Array.isArray(providers)) return { config, problems: [...problems, `${where}.providers: must be a list`] };
  const seen = new Set<string>();
  providers.forEach((item, index) => {
    const at = `${where}.providers[${index}]`;
    const provider = validateProvider(item, at, base, problems);
    if (!provider) return;
    if (seen.has(provider.name)) problems.push(`${at}.name: ${show(provider.name)} is given to another provider already`);
    seen.add(provider.name);
    config.providers.push(provider);
  });
  return { config, problems };
}

/** A parsed controller file without its `notifications` section, and that section (read apart from the flat fields). */
export function splitNotifications(document: unknown): { rest: unknown; section: unknown } {
  if (!isMapping(document) || !('notifications' in document)) return { rest: document, section: undefined };
  const { notifications, ...rest } = document;
  return { rest, section: notifications ?? null };
}

function validateProvider(item: unknown, at: string, base: string, problems: string[]): NotificationProviderFiles | undefined {
  if (!isMapping(item)) {
    problems.push(`${at}: must be a mapping with name, type and urlFile`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (key === 'url') problems.push(`${at}.url: a provider's URL carries its token: give urlFile, a file that holds it`);
    else if (key === 'secret') problems.push(`${at}.secret: give secretFile, a file that holds it`);
    else if (!(PROVIDER_FIELDS as readonly string[]).includes(key)) problems.push(`${at}.${key}: unknown field${suggest(key, PROVIDER_FIELDS)}`);
  }
  const name = item.name;
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) problems.push(`${at}.name: required, a lowercase name such as ops-slack, not ${show(name)}`);
  const kind = item.type;
  if (typeof kind !== 'string' || !(NOTIFICATION_PROVIDER_KINDS as readonly string[]).includes(kind)) {
    problems.push(`${at}.type: must be one of ${NOTIFICATION_PROVIDER_KINDS.join(', ')}, not ${show(kind)}${typeof kind === 'string' ? suggest(kind, NOTIFICATION_PROVIDER_KINDS) : ''}`);
  }
  const urlFile = filePath(item.urlFile, `${at}.urlFile`, base, true, problems);
  const secretFile = filePath(item.secretFile, `${at}.secretFile`, base, false, problems);
  if (kind === 'webhook' && item.secretFile === undefined) problems.push(`${at}.secretFile: required for a webhook: the key its payloads are signed with (HMAC-SHA256)`);
  if (kind !== 'webhook' && item.secretFile !== undefined && typeof kind === 'string') problems.push(`${at}.secretFile: only a webhook signs its payloads; ${kind} does not use it`);
  const events = names(item.events, `${at}.events`, problems, NOTIFICATION_EVENT_KINDS);
  const environments = names(item.environments, `${at}.environments`, problems);
  if (problems.length > before) return undefined;
  return {
    field: at,
    name: name as string,
    kind: kind as NotificationProviderKind,
    urlFile: urlFile!,
    ...(secretFile !== undefined ? { secretFile } : {}),
    events: (events ?? NOTIFICATION_EVENT_KINDS) as NotificationEventKind[],
    ...(environments !== undefined ? { environments } : {}),
  };
}

function filePath(value: unknown, at: string, base: string, required: boolean, problems: string[]): string | undefined {
  if (value === undefined) {
    if (required) problems.push(`${at}: required: a file that holds it (a mounted Secret)`);
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push(`${at}: must be the path of a file, not ${show(value)}`);
    return undefined;
  }
  return resolve(base, value.trim());
}

/** A list of names; with `allowed`, each must be one of them. */
function names(value: unknown, at: string, problems: string[], allowed?: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    problems.push(`${at}: must be a non-empty list of names${allowed ? ` (${allowed.join(', ')})` : ''}, or left out for all`);
    return undefined;
  }
  if (allowed) {
    for (const name of value as string[]) if (!allowed.includes(name)) problems.push(`${at}: ${show(name)} is not an event${suggest(name, allowed)}; one of ${allowed.join(', ')}`);
  }
  return value as string[];
}

function suggest(given: string, known: readonly string[]): string {
  let best: string | undefined;
  let distance = 3;
  for (const candidate of known) {
    const d = editDistance(given.toLowerCase(), candidate.toLowerCase());
    if (d < distance) [best, distance] = [candidate, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
