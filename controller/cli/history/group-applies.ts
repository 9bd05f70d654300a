import type { AppliedAction } from '../../environments/driver.ts';
import type { TriggerKind } from '../../core/reconcile-trigger.ts';
import type { StatusCommit } from './read-status-history.ts';

/** One apply, from the environment's action log: the actions one plan applied at one commit under one lease. */
export interface AppliedPlan {
  commit: string;
  /** When its first and last actions were applied. */
  startedAt: string;
  finishedAt: string;
  /**
   * What started the apply. A status commit on the status branch reports it (the controller writes
   * one after each reconcile that applied something): the trigger kind it records (`webhook`,
   * `poll`, `watch`, ...), or `controller` when it records none (written by an older controller).
   * `manual`: none does, so it was applied outside the controller (intctl apply), or by a
   * controller whose status commits are not here.
   */
  trigger: TriggerKind | 'controller' | 'manual';
  /** What the trigger said when it enqueued (`push 3dda98b…`, `promotion from test`), when it said more than its kind. */
  triggerDetail?: string;
  leaseToken: number;
  /** `result`: the artifact hash published or the version installed; nothing of a connection (not even its fingerprint) is shown. */
  actions: Array<{ seq: number; type: AppliedAction['type']; target: string; result?: string }>;
}

/**
 * The action log as applies, newest first: consecutive entries at the same commit under the same
 * lease are one apply. The trigger is told by the status history (newest first, as read).
 */
export function groupApplies(log: readonly AppliedAction[], statuses: readonly StatusCommit[]): AppliedPlan[] {
  const groups: AppliedAction[][] = [];
  for (const entry of log) {
    const last = groups.at(-1);
    const previous = last?.at(-1);
    if (last && previous && previous.commit === entry.commit && previous.leaseToken === entry.leaseToken) last.push(entry);
    else groups.push([entry]);
  }
  const reported = statuses.flatMap((s) => (s.lastApplied ? [s.lastApplied] : []));
  return groups
    .map((group): AppliedPlan => {
      const first = group[0]!;
      const finishedAt = group.at(-1)!.appliedAt;
      // The controller reports an apply after it ends: same commit, as many actions, not before the last of them.
      const byController = reported.find((r) => r.commit === first.commit && r.actions.length === group.length && Date.parse(r.at) >= Date.parse(finishedAt));
      const detail = byController?.trigger?.detail;
      return {
        commit: first.commit,
        startedAt: first.appliedAt,
        finishedAt,
        trigger: byController ? (byController.trigger?.kind ?? 'controller') : 'manual',
        ...(detail !== undefined ? { triggerDetail: detail } : {}),
        leaseToken: first.leaseToken,
        actions: group.map((a) => ({ seq: a.seq, type: a.type, target: a.target, ...(a.type === 'Publish' || a.type === 'UpdateDependency' ? { result: a.result } : {}) })),
      };
    })
    .reverse();
}
