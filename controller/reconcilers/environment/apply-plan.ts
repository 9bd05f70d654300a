import { messageOf, reasonOf, retryPolicyOf, type RetryPolicy } from '../../core/errors.ts';
import { LeaseLostError, type ApplyOutcome, type EnvironmentDriver, type Lease } from '../../environments/driver.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { Plan } from '../../core/plan.ts';

export interface ApplyOptions {
  holder: string;
  leaseTtlMs: number;
  commit: string;
  /** Called after each action, for a progress line. */
  onAction?: (action: PlanAction, outcome: ApplyOutcome, index: number, total: number) => void;
  now?: () => number;
}

export type ApplyResult =
  | { status: 'Applied'; applied: number; skipped: number }
  | { status: 'LeaseHeld'; message: string }
  | { status: 'Failed'; applied: number; skipped: number; failedAction: PlanAction; reason: string; message: string; retry: RetryPolicy };

/**
 * Applies a plan action by action under the environment's lease. Each action is atomic with its
 * log entry in the environment, and carries an id the environment remembers, so a second apply of
 * the same plan changes nothing and an apply stopped midway resumes where it stopped. The first
 * failure stops the apply: what was done stays done and recorded; nothing after it runs.
 */
export async function applyPlan(driver: EnvironmentDriver, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const now = options.now ?? Date.now;
  let lease: Lease | undefined = await driver.acquireLease(options.holder, options.leaseTtlMs);
  if (!lease) {
    return { status: 'LeaseHeld', message: `environment ${plan.environment} is being applied by another controller; try again when its lease expires` };
  }
  let applied = 0;
  let skipped = 0;
  try {
    for (const [index, action] of plan.actions.entries()) {
      // Renew once a third of the lease has passed, so a long apply never outlives it.
      if (Date.parse(lease.expiresAt) - now() < (options.leaseTtlMs * 2) / 3) {
        lease = await driver.renewLease(lease, options.leaseTtlMs);
      }
      let outcome: ApplyOutcome;
      try {
        outcome = await driver.apply(action, { lease, commit: options.commit, plan: { head: plan.basedOn, id: plan.id } });
      } catch (error) {
        return { status: 'Failed', applied, skipped, failedAction: action, reason: reasonOf(error, 'ApplyFailed'), message: messageOf(error), retry: retryPolicyOf(error, 'needs-human') };
      }
      if (outcome === 'applied') applied++;
      else skipped++;
      options.onAction?.(action, outcome, index, plan.actions.length);
    }
    return { status: 'Applied', applied, skipped };
  } finally {
    await driver.releaseLease(lease).catch((error: unknown) => {
      if (!(error instanceof LeaseLostError)) throw error;
    });
  }
}
