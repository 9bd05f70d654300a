/**
 * What an environment holds, as plain data: its published integrations, its connections (secret
 * values sealed or referenced, never plain), its shared dependencies and what its action log says
 * was applied last. Drivers observe it; the planner compares it with what Git wants.
 */
import type { DependencyName } from './dependencies.ts';

/** A secret as an environment stores it: sealed to its public key, or a reference resolved where it is used. Never plain. */
export type StoredSecret = { sealed: string } | { env: string } | { file: string };

export interface ConnectionRecord {
  name: string;
  system: string;
  authType: string;
  /** Non-secret parameters: endpoint, username, clientId, tokenUrl, scopes, certificate, parameters... */
  parameters: Record<string, unknown>;
  /** Secret fields (password, apiKey, clientSecret, privateKey) as stored. */
  secrets: Record<string, StoredSecret>;
  /** Keyed fingerprint of the connection as Git defines it; equal fingerprints mean nothing changed. */
  fingerprint: string;
}

export interface PublishedIntegration {
  name: string;
  version: string;
  /** `sha256:<hex>` content hash of the artifact. */
  artifactHash: string;
  system: string;
  /** The generated action catalog, as JSON. */
  catalog: unknown;
  /** Semver range of each shared dependency the artifact requires. */
  requires: Partial<Record<DependencyName, string>>;
  connection: string;
  /** The Git commit it was generated from. */
  commit: string;
  /** ISO 8601; set by the environment when it stores the record. */
  publishedAt?: string;
}

export interface ObservedState {
  environment: string;
  /** Installed version of each shared dependency; absent when not installed. */
  dependencies: Partial<Record<DependencyName, string>>;
  integrations: PublishedIntegration[];
  connections: ConnectionRecord[];
  /** The seq of the newest entry of the action log (0 when empty); action ids include it, so they never repeat across plans. */
  logHead: number;
  /** The artifact hash or connection fingerprint the controller last applied, per object, from the action log. */
  lastApplied: { integrations: Record<string, string>; connections: Record<string, string> };
}

const indexes = new WeakMap<readonly { name: string }[], ReadonlyMap<string, unknown>>();

/**
 * The items of a list by name. An observed state's lists are frozen and kept from one observe to
 * the next, and each step of a reconcile looks their items up, so a frozen list is indexed once;
 * any other is indexed on each call.
 */
export function byName<T extends { name: string }>(list: readonly T[]): ReadonlyMap<string, T> {
  const kept = indexes.get(list) as ReadonlyMap<string, T> | undefined;
  if (kept) return kept;
  const index = new Map<string, T>();
  for (const item of list) index.set(item.name, item);
  if (Object.isFrozen(list)) indexes.set(list, index);
  return index;
}
