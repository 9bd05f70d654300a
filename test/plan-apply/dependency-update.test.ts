/**
 * A major update of a shared dependency republishes exactly the integrations whose required
 * range it leaves, in the same apply, and leaves none of them broken. The expectation is
 * computed here with semver, apart from the planner.
 */
import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../controller/reconcilers/environment/apply-plan.ts';
import { plan, type PlanPolicy } from '../../controller/core/plan.ts';
import { DEPENDENCY_NAMES, type DependencyName } from '../../controller/core/dependencies.ts';
import type { ObservedState } from '../../controller/core/environment-state.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import {
  APPLY,
  allPins,
  caret,
  desiredFor,
  desiredSpec,
  INTEGRATION_NAMES,
  keysOf,
  removedActions,
  tamper,
  tamperWith,
  VERSIONS,
  withEnvironment,
  type DesiredSpec,
  type Pins,
} from './model.ts';

const RUNS = 50;
const POLICY: PlanPolicy = { prune: false, selfHeal: true, allowBreaking: true };

/** New pins: at least one dependency moves to another release line; the others may move within theirs. */
const moved = (pins: Required<Pins>): fc.Arbitrary<Required<Pins>> =>
  fc
    .record(
      Object.fromEntries(
        DEPENDENCY_NAMES.map((d) => [
          d,
          fc.record({ major: fc.boolean(), to: fc.constantFrom(...VERSIONS) }).map(({ major, to }) => {
            const sameLine = VERSIONS.filter((v) => caret(v) === caret(pins[d]));
            const otherLine = VERSIONS.filter((v) => caret(v) !== caret(pins[d]));
            const pool = major ? otherLine : sameLine;
            return pool[VERSIONS.indexOf(to as (typeof VERSIONS)[number]) % pool.length]!;
          }),
        ]),
      ) as Record<DependencyName, fc.Arbitrary<string>>,
    )
    .filter((next) => DEPENDENCY_NAMES.some((d) => caret(next[d]!) !== caret(pins[d])));

/** The dependencies whose version after the update leaves the range an observed artifact requires, by semver alone. */
function leftBy(observed: ObservedState, pins: Pins): Map<string, DependencyName[]> {
  const installed = { ...observed.dependencies, ...pins };
  const out = new Map<string, DependencyName[]>();
  for (const integration of observed.integrations) {
    const left = DEPENDENCY_NAMES.filter((d) => {
      const range = integration.requires[d];
      const version = installed[d];
      return range !== undefined && version !== undefined && !semver.satisfies(version, range);
    });
    if (left.length > 0) out.set(integration.name, left);
  }
  return out;
}

const publishes = (actions: readonly PlanAction[]): Extract<PlanAction, { type: 'Publish' }>[] =>
  actions.filter((a): a is Extract<PlanAction, { type: 'Publish' }> => a.type === 'Publish');

/** Every published artifact's ranges hold the installed versions: nothing is left broken. */
function brokenIn(observed: ObservedState): string[] {
  return [...leftBy(observed, {}).keys()];
}

describe('a major dependency update', () => {
  it('republishes exactly the integrations whose range it leaves, forced by exactly the dependencies that leave it', async () => {
    const scenario = desiredSpec(allPins).chain((before) => moved(before.pins as Required<Pins>).map((pins) => ({ before, pins })));
    await fc.assert(
      fc.asyncProperty(scenario, async ({ before, pins }) =>
        withEnvironment(async (driver) => {
          const keys = await keysOf(driver);
          const first = plan(desiredFor(before, keys), await driver.observe(), POLICY, removedActions);
          await applyPlan(driver, first, APPLY);
          const observed = await driver.observe();
          expect(brokenIn(observed)).toEqual([]);

          // The same manifests, generated for the new pins.
          const after: DesiredSpec = { ...before, pins };
          const planned = plan(desiredFor(after, keys), observed, POLICY, removedActions);
          const expected = leftBy(observed, pins);
          expect(new Map(publishes(planned.actions).map((a) => [a.integration.name, a.forcedBy]))).toEqual(expected);
          expect(publishes(planned.actions).every((a) => a.reason === 'ForcedByDependency')).toBe(true);
          expect(planned.actions.filter((a) => a.type === 'UpdateDependency').map((a) => a.name)).toEqual(DEPENDENCY_NAMES.filter((d) => pins[d] !== before.pins[d]));
          expect(planned.actions.filter((a) => a.type !== 'Publish' && a.type !== 'UpdateDependency')).toEqual([]);
          // The updates come first, so nothing is republished against the versions it leaves.
          const firstPublish = planned.actions.findIndex((a) => a.type === 'Publish');
          if (firstPublish >= 0) expect(planned.actions.slice(firstPublish).every((a) => a.type === 'Publish')).toBe(true);

          expect(await applyPlan(driver, planned, APPLY)).toMatchObject({ status: 'Applied' });
          const updated = await driver.observe();
          expect(brokenIn(updated)).toEqual([]);
          expect(plan(desiredFor(after, keys), updated, POLICY, removedActions).actions).toEqual([]);
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('forces the republish whatever else changed at the same time: drift, new content, integrations added or removed', async () => {
    const scenario = desiredSpec(allPins).chain((before) =>
      fc.record({
        before: fc.constant(before),
        pins: moved(before.pins as Required<Pins>),
        later: desiredSpec(allPins),
        changes: fc.array(tamper, { maxLength: 4 }),
        prune: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ before, pins, later, changes, prune }) =>
        withEnvironment(async (driver, path) => {
          const keys = await keysOf(driver);
          await applyPlan(driver, plan(desiredFor(before, keys), await driver.observe(), POLICY, removedActions), APPLY);
          tamperWith(path, changes.filter((c) => c.kind !== 'alterDependency' && c.kind !== 'deleteDependency'));
          const observed = await driver.observe();

          const after = desiredFor({ ...later, pins }, keys);
          const policy = { ...POLICY, prune };
          const planned = plan(after, observed, policy, removedActions);
          const expected = leftBy(observed, pins);
          const wanted = new Set(after.integrations.map((i) => i.name));
          for (const [name, left] of expected) {
            if (wanted.has(name)) {
              // Its artifact for the new pins has other ranges, so another hash: it must be republished, and say why.
              expect(publishes(planned.actions).find((a) => a.integration.name === name)).toMatchObject({ reason: 'ForcedByDependency', forcedBy: left });
            } else if (prune) {
              expect(planned.actions).toContainEqual(expect.objectContaining({ type: 'Unpublish', name }));
            } else {
              // Git no longer names it and policy keeps it: it stays, and the plan says so.
              expect(planned.notices).toContainEqual(expect.objectContaining({ type: 'NotPruned', kind: 'Integration', name }));
            }
          }
          for (const action of publishes(planned.actions)) {
            if (action.reason === 'ForcedByDependency') expect(expected.has(action.integration.name)).toBe(true);
          }

          await applyPlan(driver, planned, APPLY);
          const updated = await driver.observe();
          expect(brokenIn({ ...updated, integrations: updated.integrations.filter((i) => wanted.has(i.name)) })).toEqual([]);
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('leaves alone an integration whose range the new version still satisfies', async () => {
    // A fixed case next to the properties: a minor update forces nothing.
    const before: DesiredSpec = {
      pins: { 'integration-utils': '2.4.0', 'common-shared-services': '1.8.2', 'secret-manager': '1.8.2', 'integration-manager': '3.0.0', 'sharepoint-utils': '1.0.0' },
      integrations: [
        { name: INTEGRATION_NAMES[0], seed: 0, uses: ['integration-utils'], operations: ['Get'], connection: 'crm' },
        { name: INTEGRATION_NAMES[1], seed: 0, uses: ['secret-manager'], operations: ['Get'], connection: 'crm' },
      ],
      connections: [],
    };
    await withEnvironment(async (driver) => {
      const keys = await keysOf(driver);
      await applyPlan(driver, plan(desiredFor(before, keys), await driver.observe(), POLICY, removedActions), APPLY);
      const pins = { ...before.pins, 'integration-utils': '3.0.0', 'secret-manager': '1.9.0' };
      const planned = plan(desiredFor({ ...before, pins }, keys), await driver.observe(), POLICY, removedActions);
      expect(planned.actions.map((a) => (a.type === 'Publish' ? `Publish ${a.integration.name} ${a.reason} ${a.forcedBy?.join(',')}` : `${a.type} ${'name' in a ? a.name : ''}`))).toEqual([
        'UpdateDependency integration-utils',
        'UpdateDependency secret-manager',
        'Publish accounts ForcedByDependency integration-utils',
      ]);
    });
  });
});
