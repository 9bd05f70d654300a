import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../controller/reconcilers/environment/apply-plan.ts';
import { plan } from '../../controller/core/plan.ts';
import { APPLY, desiredFor, keysOf, removedActions, withEnvironment, type DesiredSpec } from './model.ts';

const policy = { prune: true, selfHeal: true, allowBreaking: true };
const spec = (seed: number): DesiredSpec => ({
  pins: { 'integration-utils': '2.4.0' },
  integrations: [{ name: 'orders', seed, uses: ['integration-utils'], operations: ['Get'], connection: 'crm' }],
  connections: [{ name: 'crm', variant: seed, secret: 'none' }],
});

describe('a stale plan', () => {
  it('cannot take an environment back: of two plans made at the same log head, the later applied one stays', async () => {
    await withEnvironment(async (driver) => {
      const keys = await keysOf(driver);
      const observed = await driver.observe();
      const older = plan(desiredFor(spec(1), keys, 'a'.repeat(40)), observed, policy, removedActions);
      const newer = plan(desiredFor(spec(2), keys, 'b'.repeat(40)), observed, policy, removedActions);
      expect(older.id).not.toBe(newer.id);

      expect(await applyPlan(driver, newer, { ...APPLY, commit: 'b'.repeat(40) })).toMatchObject({ status: 'Applied', applied: newer.actions.length });
      const afterNewer = await driver.observe();
      const result = await applyPlan(driver, older, { ...APPLY, commit: 'a'.repeat(40) });
      expect(result).toMatchObject({ status: 'Failed', reason: 'StalePlan', applied: 0 });
      expect(await driver.observe()).toEqual(afterNewer);

      // Planning again from what is there now finds nothing left to do for the newer commit.
      expect(plan(desiredFor(spec(2), keys, 'b'.repeat(40)), await driver.observe(), policy, removedActions).actions).toEqual([]);
    });
  });
});
