/**
 * Generated desired and observed states for the plan-and-apply properties: arbitraries that
 * describe what Git wants as plain specs, the function that turns a spec into the DesiredState
 * the planner takes (with real keyed fingerprints and sealed secrets of the environment under
 * test), and changes made behind the controller's back, straight into the SQLite file.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { BreakingCheck, DesiredState, PlanPolicy } from '../../controller/core/plan.ts';
import type { ConnectionRecord, PublishedIntegration, StoredSecret } from '../../controller/core/environment-state.ts';
import { DEPENDENCY_NAMES, type DependencyName } from '../../controller/core/dependencies.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import type { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { SecretValue } from '../../controller/generated/manifests.ts';
import { connectionFingerprint } from '../../controller/secrets/connection-fingerprint.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';

/** Small pools, so that earlier and later states, and tampering, keep meeting the same names. */
export const INTEGRATION_NAMES = ['accounts', 'billing', 'contacts', 'invoices', 'leads', 'orders', 'products', 'quotes', 'tickets'] as const;
export const CONNECTION_NAMES = ['crm', 'erp', 'hr', 'shop'] as const;
/** Versions over several release lines, 0.x included (where caret ranges treat minors as majors). */
export const VERSIONS = ['0.4.7', '0.5.0', '1.0.0', '1.8.2', '1.9.0', '2.4.0', '2.5.1', '3.0.0', '3.1.2'] as const;
const OPERATIONS = ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'] as const;
const DEFAULT_VERSION = '2.4.0';

export type Pins = Partial<Record<DependencyName, string>>;

export interface IntegrationSpec {
  name: string;
  /** Stands for the specification and selection: a different seed is a different artifact. */
  seed: number;
  /** The shared dependencies the generated code uses. */
  uses: DependencyName[];
  operations: string[];
  connection: string;
}

export interface ConnectionSpec {
  name: string;
  /** Stands for the endpoint and other parameters. */
  variant: number;
  secret: 'none' | 'env' | 'file' | 'plain';
}

export interface DesiredSpec {
  pins: Pins;
  integrations: IntegrationSpec[];
  connections: ConnectionSpec[];
}

export const integrationSpec = (name: string): fc.Arbitrary<IntegrationSpec> =>
  fc.record({
    name: fc.constant(name),
    seed: fc.integer({ min: 0, max: 3 }),
    uses: fc.subarray([...DEPENDENCY_NAMES]),
    operations: fc.subarray([...OPERATIONS], { minLength: 1 }),
    connection: fc.constantFrom(...CONNECTION_NAMES),
  });

export const connectionSpec = (name: string): fc.Arbitrary<ConnectionSpec> =>
  fc.record({ name: fc.constant(name), variant: fc.integer({ min: 0, max: 2 }), secret: fc.constantFrom('none', 'env', 'file', 'plain') });

/** Pins for some dependencies (a dependency not pinned is left as installed). */
export const somePins: fc.Arbitrary<Pins> = fc.record(
  Object.fromEntries(DEPENDENCY_NAMES.map((d) => [d, fc.constantFrom(...VERSIONS)])) as Record<DependencyName, fc.Arbitrary<string>>,
  { requiredKeys: [] },
);

/** Pins for every dependency, as buildDesiredState always gives (defaults where the manifest pins none). */
export const allPins: fc.Arbitrary<Required<Pins>> = fc.record(
  Object.fromEntries(DEPENDENCY_NAMES.map((d) => [d, fc.constantFrom(...VERSIONS)])) as Record<DependencyName, fc.Arbitrary<string>>,
) as fc.Arbitrary<Required<Pins>>;

function namesSubset<T>(pool: readonly string[], item: (name: string) => fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.subarray([...pool]).chain((names) => (names.length === 0 ? fc.constant([] as T[]) : fc.tuple(...names.map(item))));
}

export const desiredSpec = (pins: fc.Arbitrary<Pins> = somePins): fc.Arbitrary<DesiredSpec> =>
  fc.record({ pins, integrations: namesSubset(INTEGRATION_NAMES, integrationSpec), connections: namesSubset(CONNECTION_NAMES, connectionSpec) });

/**
 * A later commit of the same repository: most objects as they were, some changed, some gone,
 * some new; pins kept, moved or dropped. Objects that stay as they were are what drift shows on.
 */
export function evolve(earlier: DesiredSpec): fc.Arbitrary<DesiredSpec> {
  type Fate = 'keep' | 'change' | 'drop';
  const fate = fc.constantFrom<Fate>('keep', 'keep', 'keep', 'change', 'drop');
  function evolveList<T extends { name: string }>(items: readonly T[], pool: readonly string[], item: (name: string) => fc.Arbitrary<T>): fc.Arbitrary<T[]> {
    const kept = items.length === 0 ? fc.constant([] as (T | undefined)[]) : fc.tuple(...items.map((i) => fate.chain((f) => (f === 'keep' ? fc.constant(i) : f === 'change' ? item(i.name) : fc.constant(undefined)))));
    const added = namesSubset(pool.filter((n) => !items.some((i) => i.name === n)), item);
    return fc.tuple(kept, added).map(([k, a]) => [...k.filter((i): i is T => i !== undefined), ...a]);
  }
  const pins = fc.record(
    Object.fromEntries(
      DEPENDENCY_NAMES.map((d) => [d, fc.constantFrom<'keep' | 'move' | 'drop'>('keep', 'keep', 'keep', 'keep', 'move', 'drop').chain((f) => (f === 'keep' ? fc.constant(earlier.pins[d]) : f === 'move' ? fc.constantFrom(...VERSIONS) : fc.constant(undefined)))]),
    ) as Record<DependencyName, fc.Arbitrary<string | undefined>>,
  ).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Pins);
  return fc.record({
    pins,
    integrations: evolveList(earlier.integrations, INTEGRATION_NAMES, integrationSpec),
    connections: evolveList(earlier.connections, CONNECTION_NAMES, connectionSpec),
  });
}

export const planPolicy: fc.Arbitrary<PlanPolicy> = fc.record({ prune: fc.boolean(), selfHeal: fc.boolean(), allowBreaking: fc.boolean() });

/** The caret range of the release line a version belongs to, as generated artifacts require. */
export function caret(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (major > 0) return `^${major}.0.0`;
  if (minor > 0) return `^0.${minor}.0`;
  return `^0.0.${patch}`;
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * An integration as generated for `pins`: its requirements are the caret ranges of the pinned
 * release lines, and its hash covers them, so a pin that moves to a new major changes the hash
 * of every integration using that dependency, as with real artifacts.
 */
export function integrationFor(spec: IntegrationSpec, pins: Pins, commit: string): PublishedIntegration {
  const requires: Pins = {};
  for (const d of DEPENDENCY_NAMES) if (spec.uses.includes(d)) requires[d] = caret(pins[d] ?? DEFAULT_VERSION);
  const actions = spec.operations.map((op) => `${op}${spec.name}`);
  const artifactHash = sha256(JSON.stringify({ name: spec.name, seed: spec.seed, actions, requires }));
  return {
    name: spec.name,
    version: artifactHash.slice(7, 19),
    artifactHash,
    system: 'openapi',
    catalog: { actions },
    requires,
    connection: spec.connection,
    commit,
  };
}

export interface EnvironmentKeys {
  publicKey: string;
  fingerprintKey: string;
}

/** A connection as toConnectionRecord builds it: plain secrets sealed afresh, the keyed fingerprint over the manifest's inputs. */
export function connectionFor(spec: ConnectionSpec, keys: EnvironmentKeys): ConnectionRecord {
  const base = { name: spec.name, system: 'openapi', authType: spec.secret === 'none' ? 'none' : 'basic', parameters: { endpoint: `https://${spec.name}-${spec.variant}.example.com` } };
  const inputs: Record<string, SecretValue> = {};
  const secrets: Record<string, StoredSecret> = {};
  const variable = `${spec.name.toUpperCase()}_PASSWORD`;
  if (spec.secret === 'env') {
    inputs.password = { env: variable };
    secrets.password = { env: variable };
  } else if (spec.secret === 'file') {
    inputs.password = { file: `/run/secrets/${spec.name}` };
    secrets.password = { file: `/run/secrets/${spec.name}` };
  } else if (spec.secret === 'plain') {
    const value = `pw-${spec.name}-${spec.variant}`;
    inputs.password = { plain: value };
    secrets.password = { sealed: sealSecret(keys.publicKey, value) };
  }
  return { ...base, secrets, fingerprint: connectionFingerprint(keys.fingerprintKey, base, inputs) };
}

export async function keysOf(driver: EmbeddedEnvironment): Promise<EnvironmentKeys> {
  return { publicKey: await driver.publicKey(), fingerprintKey: await driver.fingerprintKey() };
}

export function desiredFor(spec: DesiredSpec, keys: EnvironmentKeys, commit = 'c'.repeat(40)): DesiredState {
  return {
    environment: 'dev',
    dependencies: { ...spec.pins },
    integrations: spec.integrations.map((i) => integrationFor(i, spec.pins, commit)),
    connections: spec.connections.map((c) => connectionFor(c, keys)),
  };
}

/** Breaking when an action the old catalog had is gone. */
export const removedActions: BreakingCheck = (_name, before, after) => {
  const now = new Set((after as { actions: string[] }).actions);
  const gone = (before as { actions: string[] }).actions.filter((a) => !now.has(a));
  return { breaking: gone.length > 0, summary: gone.map((a) => `removed action ${a}`) };
};

/** A change made outside Git: straight into the environment's SQLite file, never through the action log. */
export type Tamper =
  | { kind: 'deleteIntegration' | 'alterIntegration' | 'deleteConnection' | 'alterConnection'; pick: number }
  | { kind: 'insertIntegration'; name: string; seed: number; uses: DependencyName[] }
  | { kind: 'insertConnection'; name: string }
  | { kind: 'alterDependency'; dependency: DependencyName; version: string }
  | { kind: 'deleteDependency'; dependency: DependencyName };

export const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom('deleteIntegration', 'alterIntegration', 'deleteConnection', 'alterConnection'), pick: fc.nat(20) }), weight: 4 },
  fc.record({ kind: fc.constant('insertIntegration'), name: fc.constantFrom(...INTEGRATION_NAMES), seed: fc.nat(5), uses: fc.subarray([...DEPENDENCY_NAMES]) }),
  fc.record({ kind: fc.constant('insertConnection'), name: fc.constantFrom(...CONNECTION_NAMES) }),
  fc.record({ kind: fc.constant('alterDependency'), dependency: fc.constantFrom(...DEPENDENCY_NAMES), version: fc.constantFrom(...VERSIONS) }),
  fc.record({ kind: fc.constant('deleteDependency'), dependency: fc.constantFrom(...DEPENDENCY_NAMES) }),
) as fc.Arbitrary<Tamper>;

/** Applies changes outside Git through a second SQLite connection, as an operator with a database client would. */
export function tamperWith(path: string, changes: readonly Tamper[]): void {
  const db = new Database(path);
  try {
    for (const [n, change] of changes.entries()) {
      const pick = (table: 'integrations' | 'connections', index: number): string | undefined => {
        const names = db.prepare<[], { name: string }>(`SELECT name FROM ${table} ORDER BY name`).all().map((r) => r.name);
        return names.length === 0 ? undefined : names[index % names.length];
      };
      switch (change.kind) {
        case 'deleteIntegration':
          db.prepare('DELETE FROM integrations WHERE name = ?').run(pick('integrations', change.pick) ?? '');
          break;
        case 'alterIntegration':
          db.prepare('UPDATE integrations SET artifact_hash = ? WHERE name = ?').run(sha256(`tampered-${n}`), pick('integrations', change.pick) ?? '');
          break;
        case 'deleteConnection':
          db.prepare('DELETE FROM connections WHERE name = ?').run(pick('connections', change.pick) ?? '');
          break;
        case 'alterConnection':
          db.prepare("UPDATE connections SET fingerprint = ?, parameters = '{\"endpoint\":\"https://evil.example.com\"}' WHERE name = ?").run(`tampered-${n}`, pick('connections', change.pick) ?? '');
          break;
        case 'insertIntegration': {
          const requires = Object.fromEntries(change.uses.map((d) => [d, caret(DEFAULT_VERSION)]));
          db.prepare(
            `INSERT OR REPLACE INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at)
             VALUES (?, '0.0.1', ?, 'openapi', ?, ?, 'crm', 'outside-git', '2026-01-01T00:00:00.000Z')`,
          ).run(change.name, sha256(`foreign-${change.name}-${change.seed}`), JSON.stringify({ actions: [`Get${change.name}`] }), JSON.stringify(requires));
          break;
        }
        case 'insertConnection':
          db.prepare(
            `INSERT OR REPLACE INTO connections (name, system, auth_type, parameters, secrets, fingerprint, updated_at)
             VALUES (?, 'openapi', 'none', '{"endpoint":"https://by-hand.example.com"}', '{}', ?, '2026-01-01T00:00:00.000Z')`,
          ).run(change.name, `by-hand-${n}`);
          break;
        case 'alterDependency':
          db.prepare('INSERT OR REPLACE INTO dependencies (name, version) VALUES (?, ?)').run(change.dependency, change.version);
          break;
        case 'deleteDependency':
          db.prepare('DELETE FROM dependencies WHERE name = ?').run(change.dependency);
          break;
      }
    }
  } finally {
    db.close();
  }
}

/** Every row of the environment's tables, as stored, keyed by table and name: to tell what an apply touched. */
export function rowsOf(path: string): { integrations: Map<string, unknown>; connections: Map<string, unknown>; dependencies: Map<string, unknown> } {
  const db = new Database(path, { readonly: true });
  try {
    const read = (table: string): Map<string, unknown> => new Map(db.prepare<[], { name: string }>(`SELECT * FROM ${table} ORDER BY name`).all().map((r) => [r.name, r]));
    return { integrations: read('integrations'), connections: read('connections'), dependencies: read('dependencies') };
  } finally {
    db.close();
  }
}

/** The name an action is about, and of what kind. */
export function targetOf(action: PlanAction): { kind: 'Integration' | 'Connection' | 'Dependency'; name: string } {
  switch (action.type) {
    case 'UpdateDependency':
      return { kind: 'Dependency', name: action.name };
    case 'UpsertConnection':
      return { kind: 'Connection', name: action.connection.name };
    case 'DeleteConnection':
      return { kind: 'Connection', name: action.name };
    case 'Publish':
      return { kind: 'Integration', name: action.integration.name };
    case 'Unpublish':
      return { kind: 'Integration', name: action.name };
  }
}

/** A fresh embedded environment in a temporary directory for each property run. */
export async function withEnvironment<T>(run: (driver: EmbeddedEnvironment, path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'intctl-prop-'));
  const path = join(dir, 'dev.sqlite');
  const driver = await openEmbeddedEnvironment(path, { name: 'dev' });
  try {
    return await run(driver, path);
  } finally {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const APPLY = { holder: 'property-test', leaseTtlMs: 30_000, commit: 'c'.repeat(40) } as const;
