import { stringify } from 'yaml';
import type { Condition } from '../../generated/manifests.ts';
import { describeAction } from '../../core/describe-action.ts';
import type { ObservedState } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { EnvironmentStatusDocument } from '../../core/environment-status.ts';
import type { ReconcileTrigger } from '../../core/reconcile-trigger.ts';

export interface StatusInput {
  environment: string;
  /** The commit the reconcile looked at. */
  commit: string;
  conditions: Condition[];
  /** The environment as observed after the reconcile. */
  observed: Pick<ObservedState, 'integrations'>;
  /** The plan just applied, if one was, and the trigger that started the reconcile that applied it. */
  applied?: { commit: string; at: string; trigger?: ReconcileTrigger; actions: readonly PlanAction[] };
}

/**
 * The status document of an environment after a reconcile. Only names, versions, hashes, commits
 * and condition texts are taken; nothing of a connection is, so no secret (sealed or not) and no
 * fingerprint can reach Git through it.
 */
export function statusDocument(input: StatusInput): EnvironmentStatusDocument {
  return {
    environment: input.environment,
    observedCommit: input.commit,
    conditions: input.conditions,
    ...(input.applied
      ? {
          lastApplied: {
            commit: input.applied.commit,
            at: input.applied.at,
            ...(input.applied.trigger ? { trigger: input.applied.trigger } : {}),
            actions: input.applied.actions.map(actionLine),
          },
        }
      : {}),
    published: input.observed.integrations.map((i) => ({ integration: i.name, version: i.version, artifactHash: i.artifactHash, commit: i.commit })),
  };
}

/**
 * The YAML of a status document, the same bytes for the same content: keys in a fixed order
 * whatever order the object was built in, published integrations sorted by name, no line folding.
 * Fields the type does not name are not written.
 */
export function renderStatusDocument(document: EnvironmentStatusDocument): string {
  const conditions = document.conditions.map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    ...(c.message === undefined ? {} : { message: c.message }),
    ...(c.observedCommit === undefined ? {} : { observedCommit: c.observedCommit }),
    lastTransitionTime: c.lastTransitionTime,
  }));
  const published = [...document.published]
    .sort((a, b) => (a.integration < b.integration ? -1 : a.integration > b.integration ? 1 : 0))
    .map((p) => ({ integration: p.integration, version: p.version, artifactHash: p.artifactHash, commit: p.commit }));
  const applied = document.lastApplied;
  const value = {
    environment: document.environment,
    observedCommit: document.observedCommit,
    conditions,
    ...(applied
      ? { lastApplied: { commit: applied.commit, at: applied.at, ...(applied.trigger ? { trigger: triggerValue(applied.trigger) } : {}), actions: [...applied.actions] } }
      : {}),
    published,
  };
  return stringify(value, { lineWidth: 0 });
}

/** `intctl: prod Ready (ReconciliationSucceeded) at 3dda98b`: the Ready condition, and the commit observed. */
export function statusCommitMessage(document: EnvironmentStatusDocument): string {
  const ready = document.conditions.find((c) => c.type === 'Ready');
  const at = document.observedCommit.slice(0, 7);
  if (!ready) return `intctl: ${document.environment} status at ${at}`;
  const word = ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'ReadyUnknown';
  return `intctl: ${document.environment} ${word} (${ready.reason}) at ${at}`;
}

/** `trigger: { kind, detail }`, in that order, detail only when there is one. */
function triggerValue(trigger: ReconcileTrigger): ReconcileTrigger {
  return { kind: trigger.kind, ...(trigger.detail !== undefined ? { detail: trigger.detail } : {}) };
}

function actionLine(action: PlanAction): string {
  const { target, versions } = describeAction(action);
  const change = versions ? ` ${versions.from ?? 'none'} -> ${versions.to}` : '';
  return `${action.type} ${target}${change} (${action.reason})`;
}
