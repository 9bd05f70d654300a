import { createHash } from 'node:crypto';
import { connectionChanges, type ConnectionFieldChange } from './connection-changes.ts';
import semver from 'semver';
import { byName, type ConnectionRecord, type ObservedState, type PublishedIntegration } from './environment-state.ts';
import { DEPENDENCY_NAMES, type DependencyName } from './dependencies.ts';
import type { PlanAction } from './plan-action.ts';

/** What Git wants in one environment, with every artifact already generated for it. */
export interface DesiredState {
  environment: string;
  /** The pinned versions of the shared dependencies; a dependency not pinned is left as installed. */
  dependencies: Partial<Record<DependencyName, string>>;
  integrations: PublishedIntegration[];
  connections: ConnectionRecord[];
}

export interface PlanPolicy {
  /** Remove what Git no longer names. */
  prune: boolean;
  /**
   * The largest share of the published integrations one plan may unpublish; more blocks the plan
   * (PruneRefused). Left out: no limit.
   */
  maxPruneShare?: number;
  /** Put back what was changed outside Git. */
  selfHeal: boolean;
  /** Let a breaking interface change through; when false, a plan holding one is blocked. */
  allowBreaking: boolean;
}

/** Something the plan found but leaves alone, for the report. */
export type PlanNotice =
  | { type: 'Drifted'; kind: 'Integration' | 'Connection'; name: string; message: string }
  | { type: 'NotPruned'; kind: 'Integration' | 'Connection'; name: string; message: string };

export interface Plan {
  environment: string;
  /** The log head of the observed state the plan was made against. */
  basedOn: number;
  /** `<basedOn>.<digest of the actions>`; every action id ends in `@<id>`, so ids never repeat across plans. */
  id: string;
  actions: PlanAction[];
  notices: PlanNotice[];
  /** The breaking interface changes of each integration the plan republishes, for reviewers. */
  breakingChanges: Record<string, string[]>;
  /** For each connection the plan changes: its endpoint, auth type, token URL, scopes or audience, old and new. */
  connectionChanges?: Record<string, ConnectionFieldChange[]>;
  /** Set when policy refuses the plan as it stands: nothing of it may be applied. */
  blocked?: { reason: 'BreakingChangeRefused' | 'PruneRefused'; message: string };
}

/** Compares the catalogs of two versions of one integration: does the new one break callers of the old? */
export type BreakingCheck = (name: string, before: unknown, after: unknown) => { breaking: boolean; summary: string[] };

/**
 * The ordered actions that take an environment from what it has to what Git wants: dependency
 * updates first, with the republishes they force right after them, then connections, then the
 * other publishes, then unpublishes, then connection removals. Pure: no I/O, no clock. An
 * integration whose published artifact requires a range that the new dependency versions leave
 * is republished in the same plan (reason ForcedByDependency), so an update never leaves it
 * broken; the updates and those republishes stand together, as the one unit apply makes of them
 * (applyUnits). Nothing the manifests do not name is touched unless policy prunes; drift is
 * corrected only where policy self-heals, and reported otherwise.
 */
export function plan(desired: DesiredState, observed: ObservedState, policy: PlanPolicy, checkBreaking: BreakingCheck): Plan {
  const actions: PlanAction[] = [];
  const notices: PlanNotice[] = [];

  // 1. Shared dependencies.
  const installed: Partial<Record<DependencyName, string>> = { ...observed.dependencies };
  for (const name of DEPENDENCY_NAMES) {
    const to = desired.dependencies[name];
    const from = observed.dependencies[name];
    if (to === undefined || to === from) continue;
    actions.push({ id: `dependency:${name}:${from ?? 'none'}->${to}`, type: 'UpdateDependency', name, ...(from ? { from } : {}), to, reason: 'Pinned' });
    installed[name] = to;
  }

  // 2. Connections, placed after the republishes the updates force (below).
  const connectionActions: PlanAction[] = [];
  const observedConnections = new Map(observed.connections.map((c) => [c.name, c]));
  const connectionFields: Record<string, ConnectionFieldChange[]> = {};
  for (const connection of sortByName(desired.connections)) {
    const before = observedConnections.get(connection.name);
    const have = before?.fingerprint;
    const last = observed.lastApplied.connections[connection.name];
    const want = connection.fingerprint;
    if (have === want) continue;
    const fields = connectionChanges(before, connection);
    if (fields.length > 0 && (want !== last || policy.selfHeal)) connectionFields[connection.name] = fields;
    if (want !== last) {
      const reason = have === undefined && last === undefined ? 'New' : 'Changed';
      connectionActions.push({ id: `connection:${connection.name}:${have ?? 'none'}->${want}`, type: 'UpsertConnection', connection, reason });
    } else if (policy.selfHeal) {
      connectionActions.push({ id: `connection:${connection.name}:${have ?? 'none'}->${want}`, type: 'UpsertConnection', connection, reason: 'Drifted' });
    } else {
      notices.push({ type: 'Drifted', kind: 'Connection', name: connection.name, message: have === undefined ? 'removed outside Git' : 'changed outside Git' });
    }
  }

  // 3. Publishes: those an update forces go right after the updates.
  const forced: PlanAction[] = [];
  const publishes: PlanAction[] = [];
  const observedIntegrations = byName(observed.integrations);
  const breaking: string[] = [];
  const breakingChanges: Record<string, string[]> = {};
  // Names are unique in a desired state, and equal ones would be next to each other once sorted.
  let wantedAndPublished = 0;
  let previous: string | undefined;
  for (const integration of sortByName(desired.integrations)) {
    const current = observedIntegrations.get(integration.name);
    if (current && integration.name !== previous) wantedAndPublished++;
    previous = integration.name;
    const have = current?.artifactHash;
    const want = integration.artifactHash;
    if (have === want) continue;
    const last = observed.lastApplied.integrations[integration.name];
    const id = `publish:${integration.name}:${have ?? 'none'}->${want}`;
    const check = current ? checkBreaking(integration.name, current.catalog, integration.catalog) : { breaking: false, summary: [] };
    if (check.breaking) {
      breaking.push(`${integration.name}: ${check.summary.join('; ')}`);
      breakingChanges[integration.name] = check.summary;
    }
    const forcedBy = current ? dependenciesLeft(current.requires, installed) : [];
    if (forcedBy.length > 0) {
      forced.push({ id, type: 'Publish', integration, reason: 'ForcedByDependency', forcedBy, breaking: check.breaking });
    } else if (want !== last) {
      publishes.push({ id, type: 'Publish', integration, reason: have === undefined && last === undefined ? 'New' : 'Changed', breaking: check.breaking });
    } else if (policy.selfHeal) {
      publishes.push({ id, type: 'Publish', integration, reason: 'Drifted', breaking: check.breaking });
    } else {
      if (check.breaking) {
        breaking.pop();
        delete breakingChanges[integration.name];
      }
      notices.push({ type: 'Drifted', kind: 'Integration', name: integration.name, message: have === undefined ? 'unpublished outside Git' : 'changed outside Git' });
    }
  }

  actions.push(...forced, ...connectionActions, ...publishes);

  // 4. Unpublishes, then connection removals: only what Git no longer names, only when pruning.
  // Every published integration is wanted when as many wanted ones were found published.
  const unwanted = wantedAndPublished === observed.integrations.length ? [] : sortByName(observed.integrations);
  const wantedIntegrations = new Set(unwanted.length > 0 ? desired.integrations.map((i) => i.name) : []);
  for (const current of unwanted) {
    if (wantedIntegrations.has(current.name)) continue;
    if (policy.prune) {
      actions.push({ id: `unpublish:${current.name}:${current.artifactHash}`, type: 'Unpublish', name: current.name, reason: 'Pruned' });
    } else {
      notices.push({ type: 'NotPruned', kind: 'Integration', name: current.name, message: 'no longer in Git; stays published because policy.prune is false' });
    }
  }
  const wantedConnections = new Set(desired.connections.map((c) => c.name));
  for (const current of sortByName(observed.connections)) {
    if (wantedConnections.has(current.name)) continue;
    if (policy.prune) {
      actions.push({ id: `delete-connection:${current.name}:${current.fingerprint}`, type: 'DeleteConnection', name: current.name, reason: 'Pruned' });
    } else {
      notices.push({ type: 'NotPruned', kind: 'Connection', name: current.name, message: 'no longer in Git; kept because policy.prune is false' });
    }
  }

  // Name the plan after its head and content, and its actions after the plan.
  const digest = createHash('sha256').update(actions.map((a) => a.id).join('\n')).digest('hex').slice(0, 12);
  const id = `${observed.logHead}.${digest}`;
  for (const action of actions) action.id = `${action.id}@${id}`;
  const result: Plan = { environment: desired.environment, basedOn: observed.logHead, id, actions, notices, breakingChanges };
  if (Object.keys(connectionFields).length > 0) result.connectionChanges = connectionFields;
  if (breaking.length > 0 && !policy.allowBreaking) {
    result.blocked = {
      reason: 'BreakingChangeRefused',
      message: `policy.allowBreaking is false and the plan breaks callers: ${breaking.join(' | ')}`,
    };
  }
  const pruneRefused = refusedPrune(actions, observed.integrations.length, policy.maxPruneShare);
  if (pruneRefused && !result.blocked) result.blocked = { reason: 'PruneRefused', message: pruneRefused };
  return result;
}

/**
 * Why a prune is too large for policy, if it is: more of the published integrations than
 * `maxPruneShare` allows would be unpublished at once. Deleting most of an environment is rarely
 * what a commit means (a manifest that could not be read looks exactly like one deleted), so it
 * takes raising the share in the Environment's policy, which a reviewer sees.
 */
function refusedPrune(actions: readonly PlanAction[], published: number, maxShare: number | undefined): string | undefined {
  if (maxShare === undefined || published === 0) return undefined;
  const unpublished = actions.filter((a) => a.type === 'Unpublish').length;
  if (unpublished === 0 || unpublished <= maxShare * published) return undefined;
  const percent = (share: number): string => `${Math.round(share * 100)}%`;
  return (
    `the plan would unpublish ${unpublished} of the ${published} published integrations (${percent(unpublished / published)}), more than policy.maxPruneShare ${maxShare} (${percent(maxShare)}) allows; ` +
    `if that is meant, raise spec.policy.maxPruneShare (1 allows any prune) in the same commit`
  );
}

/** The dependencies whose installed version no longer satisfies the range an artifact requires. */
export function dependenciesLeft(requires: Partial<Record<DependencyName, string>>, installed: Partial<Record<DependencyName, string>>): DependencyName[] {
  const out: DependencyName[] = [];
  for (const name of DEPENDENCY_NAMES) {
    const range = requires[name];
    const version = installed[name];
    if (range === undefined || version === undefined) continue;
    if (!semver.satisfies(version, range, { includePrerelease: true })) out.push(name);
  }
  return out;
}

/** The items in name order: the list itself when it is in that order already (a desired state usually is, an observed one always). */
function sortByName<T extends { name: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (items[i - 1]!.name > items[i]!.name) return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return items;
}
