/**
 * Properties of plan + apply against the real embedded environment (a SQLite file per run):
 * an arbitrary earlier desired state is applied, the environment is changed outside Git
 * (rows deleted, altered or added through a second SQLite connection), and an arbitrary new
 * desired state is planned and applied under an arbitrary policy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../controller/reconcilers/environment/apply-plan.ts';
import { plan, type Plan, type PlanPolicy } from '../../controller/core/plan.ts';
import type { AppliedAction, ApplyOutcome } from '../../controller/environments/driver.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { DEPENDENCY_NAMES } from '../../controller/core/dependencies.ts';
import type { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import {
  APPLY,
  desiredFor,
  desiredSpec,
  evolve,
  keysOf,
  planPolicy,
  removedActions,
  rowsOf,
  tamper,
  tamperWith,
  targetOf,
  withEnvironment,
  type DesiredSpec,
  type Tamper,
} from './model.ts';

const RUNS = 50;
const EVERYTHING: PlanPolicy = { prune: true, selfHeal: true, allowBreaking: true };

/** Reaches an arbitrary observed state: an earlier desired state applied, then changed outside Git. */
async function arrive(driver: EmbeddedEnvironment, path: string, earlier: DesiredSpec, changes: readonly Tamper[]): Promise<void> {
  const first = plan(desiredFor(earlier, await keysOf(driver)), await driver.observe(), EVERYTHING, removedActions);
  expect(await applyPlan(driver, first, APPLY)).toEqual({ status: 'Applied', applied: first.actions.length, skipped: 0 });
  tamperWith(path, changes);
}

/** Plans under `policy`: blocked exactly when it republishes something breaking that policy refuses; a blocked plan is planned again with breaking changes allowed, so every run goes on to apply. */
function planAllowing(desired: Parameters<typeof plan>[0], observed: Parameters<typeof plan>[1], policy: PlanPolicy): { planned: Plan; policy: PlanPolicy } {
  const planned = plan(desired, observed, policy, removedActions);
  const breaking = planned.actions.some((a) => a.type === 'Publish' && a.breaking);
  if (!planned.blocked) {
    expect(breaking && !policy.allowBreaking).toBe(false);
    return { planned, policy };
  }
  expect(policy.allowBreaking).toBe(false);
  expect(breaking).toBe(true);
  const allowing = { ...policy, allowBreaking: true };
  return { planned: plan(desired, observed, allowing, removedActions), policy: allowing };
}

const what = (a: PlanAction | AppliedAction): string => {
  if ('actionId' in a) return `${a.type} ${a.target} ${a.result}`;
  const t = targetOf(a);
  const result = a.type === 'Publish' ? a.integration.artifactHash : a.type === 'UpsertConnection' ? a.connection.fingerprint : a.type === 'UpdateDependency' ? a.to : '';
  return `${a.type} ${t.name} ${result}`;
};
const withoutId = ({ id: _id, ...rest }: PlanAction): Omit<PlanAction, 'id'> => rest;

const scenario = desiredSpec().chain((earlier) =>
  fc.record({ earlier: fc.constant(earlier), changes: fc.array(tamper, { maxLength: 8 }), later: evolve(earlier), policy: planPolicy }),
);

describe('plan and apply, as properties over generated states', () => {
  it('after an apply, planning again finds nothing to do: only the drift and orphans policy leaves alone remain, as notices', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ earlier, changes, later, policy: asked }) =>
        withEnvironment(async (driver, path) => {
          await arrive(driver, path, earlier, changes);
          const keys = await keysOf(driver);
          const { planned, policy } = planAllowing(desiredFor(later, keys), await driver.observe(), asked);
          expect(await applyPlan(driver, planned, APPLY)).toEqual({ status: 'Applied', applied: planned.actions.length, skipped: 0 });

          // Sealing afresh gives new ciphertexts: that must not look like a change either.
          const again = plan(desiredFor(later, keys), await driver.observe(), policy, removedActions);
          expect(again.actions).toEqual([]);
          expect(again.notices).toEqual(planned.notices);
          if (policy.selfHeal && policy.prune) expect(again.notices).toEqual([]);
          for (const notice of again.notices) {
            expect(notice.type === 'Drifted' ? !policy.selfHeal : !policy.prune).toBe(true);
          }

          // What the environment holds now: Git's version of everything Git names, but for drift left alone.
          const state = await driver.observe();
          const drifted = new Set(again.notices.filter((n) => n.type === 'Drifted').map((n) => `${n.kind} ${n.name}`));
          const desired = desiredFor(later, keys);
          for (const i of desired.integrations) {
            if (drifted.has(`Integration ${i.name}`)) continue;
            expect(state.integrations.find((o) => o.name === i.name)).toEqual({ ...i, publishedAt: expect.any(String) });
          }
          for (const c of desired.connections) {
            if (drifted.has(`Connection ${c.name}`)) continue;
            expect(state.connections.find((o) => o.name === c.name)?.fingerprint).toBe(c.fingerprint);
          }
          for (const d of DEPENDENCY_NAMES) if (later.pins[d] !== undefined) expect(state.dependencies[d]).toBe(later.pins[d]);
          const named = new Set(later.integrations.map((i) => i.name));
          if (policy.prune) expect(state.integrations.filter((i) => !named.has(i.name))).toEqual([]);
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('never touches an object the manifests do not name unless pruning is on, and then removes exactly those', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ earlier, changes, later, policy: asked }) =>
        withEnvironment(async (driver, path) => {
          await arrive(driver, path, earlier, changes);
          const { planned } = planAllowing(desiredFor(later, await keysOf(driver)), await driver.observe(), asked);
          const named = {
            Integration: new Set(later.integrations.map((i) => i.name)),
            Connection: new Set(later.connections.map((c) => c.name)),
            Dependency: new Set(DEPENDENCY_NAMES.filter((d) => later.pins[d] !== undefined) as string[]),
          };
          const before = rowsOf(path);
          const removals = planned.actions.filter((a) => a.type === 'Unpublish' || a.type === 'DeleteConnection').map((a) => `${a.type} ${targetOf(a).name}`);
          if (asked.prune) {
            expect(removals.sort()).toEqual([
              ...[...before.integrations.keys()].filter((n) => !named.Integration.has(n)).map((n) => `Unpublish ${n}`),
              ...[...before.connections.keys()].filter((n) => !named.Connection.has(n)).map((n) => `DeleteConnection ${n}`),
            ].sort());
          } else {
            expect(removals).toEqual([]);
          }
          for (const action of planned.actions) {
            if (action.type === 'Unpublish' || action.type === 'DeleteConnection') continue;
            const target = targetOf(action);
            expect(named[target.kind].has(target.name), `${action.type} ${target.name} is not named by the manifests`).toBe(true);
          }

          await applyPlan(driver, planned, APPLY);
          const after = rowsOf(path);
          for (const table of ['integrations', 'connections', 'dependencies'] as const) {
            const kind = table === 'integrations' ? 'Integration' : table === 'connections' ? 'Connection' : 'Dependency';
            for (const [name, row] of before[table]) {
              if (named[kind].has(name)) continue;
              // Unnamed: untouched, byte for byte, unless pruning removed it.
              if (asked.prune && kind !== 'Dependency') expect(after[table].has(name)).toBe(false);
              else expect(after[table].get(name)).toEqual(row);
            }
          }
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('puts back what was changed outside Git only where policy self-heals, and otherwise leaves it as it is', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ earlier, changes, later, policy: asked }) =>
        withEnvironment(async (driver, path) => {
          await arrive(driver, path, earlier, changes);
          const observed = await driver.observe();
          const desired = desiredFor(later, await keysOf(driver));
          const { planned } = planAllowing(desired, observed, asked);
          // Drifted, decided here from the observed state alone: Git still wants what was last applied; the environment has something else.
          const drifted = {
            integrations: desired.integrations
              .filter((i) => observed.lastApplied.integrations[i.name] === i.artifactHash && observed.integrations.find((o) => o.name === i.name)?.artifactHash !== i.artifactHash)
              .map((i) => i.name),
            connections: desired.connections
              .filter((c) => observed.lastApplied.connections[c.name] === c.fingerprint && observed.connections.find((o) => o.name === c.name)?.fingerprint !== c.fingerprint)
              .map((c) => c.name),
          };
          const before = rowsOf(path);
          await applyPlan(driver, planned, APPLY);
          const after = rowsOf(path);
          for (const name of drifted.integrations) {
            const action = planned.actions.find((a) => a.type === 'Publish' && a.integration.name === name);
            if (asked.selfHeal) expect(action).toMatchObject({ reason: expect.stringMatching(/^(Drifted|ForcedByDependency)$/) });
            else if (action?.type === 'Publish' && action.reason === 'ForcedByDependency') continue;
            else {
              expect(action).toBeUndefined();
              expect(after.integrations.get(name)).toEqual(before.integrations.get(name));
              expect(planned.notices).toContainEqual(expect.objectContaining({ type: 'Drifted', kind: 'Integration', name }));
            }
          }
          for (const name of drifted.connections) {
            const action = planned.actions.find((a) => a.type === 'UpsertConnection' && a.connection.name === name);
            if (asked.selfHeal) expect(action).toMatchObject({ reason: 'Drifted' });
            else {
              expect(action).toBeUndefined();
              expect(after.connections.get(name)).toEqual(before.connections.get(name));
              expect(planned.notices).toContainEqual(expect.objectContaining({ type: 'Drifted', kind: 'Connection', name }));
            }
          }
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('a second apply of the same plan finds every action already applied, and changes nothing, the log included', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ earlier, changes, later, policy: asked }) =>
        withEnvironment(async (driver, path) => {
          await arrive(driver, path, earlier, changes);
          const { planned } = planAllowing(desiredFor(later, await keysOf(driver)), await driver.observe(), asked);
          await applyPlan(driver, planned, APPLY);
          const rows = rowsOf(path);
          const log = await driver.actionLog();

          const outcomes: ApplyOutcome[] = [];
          const again = await applyPlan(driver, planned, { ...APPLY, onAction: (_a, outcome) => outcomes.push(outcome) });
          expect(again).toEqual({ status: 'Applied', applied: 0, skipped: planned.actions.length });
          expect(outcomes).toEqual(planned.actions.map(() => 'already-applied'));
          expect(await driver.actionLog()).toEqual(log);
          expect(rowsOf(path)).toEqual(rows);
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('an apply stopped after any action resumes with exactly what is left, whether re-planned or the same plan applied again', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.nat(), fc.boolean(), async ({ earlier, changes, later, policy: asked }, cut, replan) =>
        withEnvironment(async (driver, path) => {
          await arrive(driver, path, earlier, changes);
          const keys = await keysOf(driver);
          const desired = desiredFor(later, keys);
          const { planned, policy } = planAllowing(desired, await driver.observe(), asked);
          const head = (await driver.observe()).logHead;
          const k = cut % (planned.actions.length + 1);
          // Stopped between action k and k + 1: what was applied stays, nothing after it ran.
          await applyPlan(driver, { ...planned, actions: planned.actions.slice(0, k) }, APPLY);

          if (replan) {
            const rest = plan(desired, await driver.observe(), policy, removedActions);
            expect(rest.actions.map(withoutId)).toEqual(planned.actions.slice(k).map(withoutId));
            expect(await applyPlan(driver, rest, APPLY)).toEqual({ status: 'Applied', applied: planned.actions.length - k, skipped: 0 });
          } else {
            expect(await applyPlan(driver, planned, APPLY)).toEqual({ status: 'Applied', applied: planned.actions.length - k, skipped: k });
          }

          // Nothing lost, nothing done twice: the log since the start is the plan, once, in order.
          const log = (await driver.actionLog()).filter((e) => e.seq > head);
          expect(log.map(what)).toEqual(planned.actions.map(what));
          expect(plan(desiredFor(later, keys), await driver.observe(), policy, removedActions).actions).toEqual([]);
        }),
      ),
      { numRuns: RUNS },
    );
  });
});
