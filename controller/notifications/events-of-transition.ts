import { createHash } from 'node:crypto';
import type { NotificationEventKind } from '../config/notification-config.ts';
import { environmentPolicy } from '../core/environment-policy.ts';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { ReconcileOutcome } from '../core/reconcile-outcome.ts';
import type { Condition, Environment } from '../generated/manifests.ts';
import type { NotificationEvent } from './notification-event.ts';

/** One reconcile's end, as the controller hands it over: the status before and after, and why. */
export interface StatusTransition {
  previous: EnvironmentStatus | undefined;
  status: EnvironmentStatus;
  outcome: ReconcileOutcome;
  /** The Environment manifest, when the commit could be read: whether it is protected. */
  manifest?: Pick<Environment, 'spec'>;
}

/** At most this many applied actions are listed in an event. */
const MAX_ACTIONS = 20;

/**
 * The events of one transition. A condition is news when it becomes True, or stays True with
 * another reason or at another commit (a new commit still stalled, a new commit awaiting
 * approval), or, for Drifted, with another message (other objects drifted). A Stalled condition
 * whose reason is BreakingChangeRefused is told as that event alone. An apply that changed a
 * protected environment (one that requires approvals) is told as AppliedToProtected. Pure.
 */
export function eventsOfTransition(transition: StatusTransition): NotificationEvent[] {
  const { previous, status, outcome } = transition;
  const events: NotificationEvent[] = [];
  const now = (type: Condition['type']) => trueCondition(status, type);
  const before = (type: Condition['type']) => trueCondition(previous, type);
  const isNews = (type: Condition['type'], sameCommitMatters: boolean): Condition | undefined => {
    const current = now(type);
    if (!current) return undefined;
    const old = before(type);
    if (!old || old.reason !== current.reason) return current;
    if (sameCommitMatters && previous?.observedCommit !== status.observedCommit) return current;
    if (type === 'Drifted' && old.message !== current.message) return current;
    return undefined;
  };
  const stalled = isNews('Stalled', true);
  if (stalled) events.push(event(status, stalled.reason === 'BreakingChangeRefused' ? 'BreakingChangeRefused' : 'Stalled', 'error', stalled));
  const awaiting = isNews('AwaitingApproval', true);
  if (awaiting) events.push(event(status, 'AwaitingApproval', 'info', awaiting));
  const drifted = isNews('Drifted', false);
  if (drifted) events.push(event(status, 'Drifted', 'warning', drifted));
  if (outcome.kind === 'Applied' && outcome.applied > 0 && transition.manifest && environmentPolicy(transition.manifest).requiredApprovals > 0) {
    const ready = status.conditions.find((c) => c.type === 'Ready')!;
    const actions = status.lastApplied?.actions ?? [];
    events.push({
      ...event(status, 'AppliedToProtected', 'info', { ...ready, message: `applied ${outcome.applied} ${outcome.applied === 1 ? 'action' : 'actions'}` }),
      ...(actions.length > 0 ? { actions: actions.slice(0, MAX_ACTIONS) } : {}),
    });
  }
  return events;
}

function trueCondition(status: EnvironmentStatus | undefined, type: Condition['type']): Condition | undefined {
  return status?.conditions.find((c) => c.type === type && c.status === 'True');
}

function event(status: EnvironmentStatus, kind: NotificationEventKind, severity: NotificationEvent['severity'], condition: Pick<Condition, 'reason' | 'message'>): NotificationEvent {
  const commit = status.observedCommit;
  const message = condition.message ?? '';
  const id = createHash('sha256').update(JSON.stringify([status.environment, kind, condition.reason, commit ?? '', message])).digest('hex').slice(0, 32);
  return { id, kind, environment: status.environment, severity, reason: condition.reason, message, ...(commit ? { commit } : {}), at: status.lastReconcileTime };
}
