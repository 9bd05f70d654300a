import { messageOf, reasonOf, retryPolicyOf, type RetryPolicy } from '../../core/errors.ts';
import { LeaseLostError, type ApplyOutcome, type EnvironmentDriver, type Lease } from '../../environments/driver.ts';
import { applyUnits } from '../../core/apply-units.ts';
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
 * Applies a plan unit by unit under the environment's lease. Each action is atomic with its log
 * entry in the environment, and carries an id the environment remembers, so a second apply of
 * the same plan changes nothing and an apply stopped midway resumes where it stopped. Most units
 * are one action; a dependency update and the republishes it forces are one unit, applied all or
 * none (applyUnits), so no failure leaves an artifact published outside the range of the
 * dependency installed under it. The first failure stops the apply: what was done stays done and
 * recorded; nothing of the failed unit, and nothing after it, runs.
 */
export async function applyPlan(driver: EnvironmentDriver, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const now = options.now ?? Date.now;
  let lease: Lease | undefined = await driver.acquireLease(options.holder, options.leaseTtlMs);
  if (!lease) {
    return { status: 'LeaseHeld', message: `environment ${plan.environment} is being applied by another controller; try again when its lease expires` };
  }
  let applied = 0;
  let skipped = 0;
  let index = 0;
  try {
    for (const unit of applyUnits(plan.actions)) {
      // Renew once a third of the lease has passed, so a long apply never outlives it.
      if (Date.parse(lease.expiresAt) - now() < (options.leaseTtlMs * 2) / 3) {
        lease = await driver.renewLease(lease, options.leaseTtlMs);
      }
      const context = { lease, commit: options.commit, plan: { head: plan.basedOn, id: plan.id } };
      let outcomes: ApplyOutcome[];
      try {
        outcomes = unit.length === 1 ? [await driver.apply(unit[0]!, context)] : await driver.applyUnit(unit, context);
      } catch (error) {
        const together = unit.length === 1 ? '' : `; none of the ${unit.length} actions applied with it (the dependency update and the republishes it forces) was applied`;
        return { status: 'Failed', applied, skipped, failedAction: unit[0]!, reason: reasonOf(error, 'ApplyFailed'), message: `${messageOf(error)}${together}`, retry: retryPolicyOf(error, 'needs-human') };
      }
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome === 'applied') applied++;
        else skipped++;
        options.onAction?.(unit[i]!, outcome, index, plan.actions.length);
        index++;
      }
    }
    return { status: 'Applied', applied, skipped };
  } finally {
    await driver.releaseLease(lease).catch((error: unknown) => {
      if (!(error instanceof LeaseLostError)) throw error;
    });
  }
}
