import type { Plan } from './plan.ts';

export interface GatePolicy {
  autoApply: boolean;
  requiredApprovals: number;
  /** Users whose approvals count; empty means any reviewer. */
  approvers: readonly string[];
}

export interface GateInput {
  plan: Plan;
  policy: GatePolicy;
  /** Who asked: the controller on its own (`automatic`), or a person running `intctl apply`. */
  trigger: 'automatic' | 'manual';
  /** Users who approved the pull request the commit came from (current, not stale or dismissed). */
  approvals: readonly string[];
  /** For an environment that promotes from another: is that one Ready at the same commit? */
  promotion?: { from: string; ready: boolean };
}

export type GateDecision =
  | { allowed: true; reason: 'Allowed' | 'NothingToDo' }
  | {
      allowed: false;
      reason: 'BreakingChangeRefused' | 'PruneRefused' | 'AwaitingApproval' | 'AwaitingPromotion' | 'ManualApplyRequired';
      message: string;
    };

/**
 * Whether a plan may run now. Pure. Order matters: a plan that policy refuses outright says so
 * before asking anyone for approval.
 */
export function gate(input: GateInput): GateDecision {
  const { plan, policy } = input;
  if (plan.actions.length === 0) return { allowed: true, reason: 'NothingToDo' };
  if (plan.blocked) return { allowed: false, reason: plan.blocked.reason, message: plan.blocked.message };
  if (input.promotion && !input.promotion.ready) {
    return {
      allowed: false,
      reason: 'AwaitingPromotion',
      message: `waits until environment ${input.promotion.from} is Ready at the same commit`,
    };
  }
  const counted = countApprovals(input.approvals, policy.approvers);
  if (counted < policy.requiredApprovals) {
    const who = policy.approvers.length > 0 ? ` from ${policy.approvers.join(', ')}` : '';
    return {
      allowed: false,
      reason: 'AwaitingApproval',
      message: `needs ${policy.requiredApprovals} approving ${policy.requiredApprovals === 1 ? 'review' : 'reviews'}${who}; has ${counted}`,
    };
  }
  if (input.trigger === 'automatic' && !policy.autoApply) {
    return { allowed: false, reason: 'ManualApplyRequired', message: 'policy.autoApply is false: run intctl apply to apply this plan' };
  }
  return { allowed: true, reason: 'Allowed' };
}

function countApprovals(approvals: readonly string[], approvers: readonly string[]): number {
  const distinct = new Set(approvals.map((a) => a.toLowerCase()));
  if (approvers.length === 0) return distinct.size;
  const allowed = new Set(approvers.map((a) => a.toLowerCase()));
  let n = 0;
  for (const user of distinct) if (allowed.has(user)) n++;
  return n;
}
