import type { CatalogChange } from '../../artifact/diff-catalogs.ts';
import { environmentPolicy } from '../../core/environment-policy.ts';
import type { ObservedState } from '../../core/environment-state.ts';
import { actionSentence } from '../../core/describe-action.ts';
import { messageOf, reasonOf, retryPolicyOf } from '../../core/errors.ts';
import { gate, type GateDecision } from '../../core/gate.ts';
import type { LoadedObject } from '../../core/manifest.ts';
import { plan as makePlan, type DesiredState, type Plan } from '../../core/plan.ts';
import { sortProblems, type Problem } from '../../core/problem.ts';
import type { ReconcileOutcome } from '../../core/reconcile-outcome.ts';
import type { EnvironmentDriver } from '../../environments/driver.ts';
import type { Environment } from '../../generated/manifests.ts';
import { applyPlan, type ApplyResult } from './apply-plan.ts';
import { recordingBreakingCheck } from './breaking-check.ts';
import { buildDesiredState, heldIntegrationNames, type SpecificationReads } from './desired-state.ts';
import type { EnvironmentContext, LoadedManifests } from './environment-context.ts';
import { UnknownEnvironmentError } from './unknown-environment-error.ts';
import { mismatchedKeyPairs } from './verify-key-pairs.ts';
import { unopenedSealedValues } from './verify-sealed-secrets.ts';

/** What the steps of one reconcile found so far; each step reads what the ones before it left. */
export interface EnvironmentState {
  name: string;
  problems: Problem[];
  loaded?: LoadedManifests;
  object?: LoadedObject<Environment>;
  driver?: EnvironmentDriver;
  desired?: DesiredState;
  observed?: ObservedState;
  plan?: Plan;
  drifted?: string[];
  interfaceChanges?: Record<string, CatalogChange[]>;
  /** The specifications this reconcile read, so that checking selections and generating read each once. */
  specifications?: SpecificationReads;
  decision?: GateDecision;
  apply?: ApplyResult;
}

/** A step hands on to the next (undefined) or ends the reconcile with an outcome. */
export type EnvironmentStep = (state: EnvironmentState, ctx: EnvironmentContext) => Promise<ReconcileOutcome | undefined>;

/** Loads the commit; manifests with errors stop here, and nothing is applied. */
export const loadCommit: EnvironmentStep = async (state, ctx) => {
  try {
    state.loaded = await ctx.load();
  } catch (error) {
    return { kind: 'GitFetchFailed', message: messageOf(error) };
  }
  return invalid(state, state.loaded.errors);
};

/** Manifests with errors: the reconcile ends, and nothing is applied. */
function invalid(state: EnvironmentState, errors: Problem[]): ReconcileOutcome | undefined {
  if (errors.length === 0) return undefined;
  state.problems = errors;
  return { kind: 'ValidationFailed', message: `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'} in the manifests; nothing applied` };
}

/** Finds the Environment the request names; a name the commit does not define is the caller's mistake. */
export const findEnvironment: EnvironmentStep = async (state) => {
  const environments = state.loaded!.set.environments;
  state.object = environments.find((e) => e.manifest.metadata.name === state.name);
  if (state.object) return undefined;
  const known = environments.map((e) => e.manifest.metadata.name).sort().join(', ') || 'none';
  throw new UnknownEnvironmentError(`environment ${state.name} is not defined in the repository (defined: ${known})`);
};

export const checkSuspended: EnvironmentStep = async (state) => (state.object!.manifest.spec.suspend ? { kind: 'Suspended' } : undefined);

export const openEnvironment: EnvironmentStep = async (state, ctx) => {
  state.driver = await ctx.openDriver(state.object!);
  return undefined;
};

/**
 * Generates what Git wants here, except what the environment already holds at the same content
 * hash (observed first for that); an integration that cannot be generated stops the whole environment.
 */
export const buildDesired: EnvironmentStep = async (state, ctx) => {
  const driver = state.driver!;
  const keys = { publicKey: await driver.publicKey(), fingerprintKey: await driver.fingerprintKey() };
  const loaded = state.loaded!;
  const progress = ctx.onGenerate ? (done: number, total: number) => ctx.onGenerate!(state.name, done, total) : undefined;
  const desired = await buildDesiredState(loaded.set, state.object!, loaded.reader, keys, loaded.commit, ctx.artifactCache, loaded.models, {
    published: state.observed!.integrations,
    ...(state.specifications ? { specifications: state.specifications } : {}),
    ...(loaded.identities ? { identities: loaded.identities } : {}),
    ...(progress ? { progress } : {}),
  });
  if (desired.problems.length === 0) {
    state.desired = desired.state;
    return undefined;
  }
  state.problems = desired.problems;
  const names = [...new Set(desired.problems.map((p) => p.object?.name).filter(Boolean))].join(', ');
  return { kind: 'GenerationFailed', message: `could not generate ${names}; nothing applied` };
};

export const observe: EnvironmentStep = async (state) => {
  state.observed = await state.driver!.observe();
  return undefined;
};

/**
 * Checks the selections the load left to the reconcile (`intctl plan|apply`): every integration's
 * except those the environment holds at the content hash their inputs give now, whose selections
 * were checked when that artifact was generated from the same inputs. So a plan with nothing
 * changed parses no specification. Errors stop here, as the load's do; warnings join the load's.
 */
export const checkSelections: EnvironmentStep = async (state) => {
  const loaded = state.loaded!;
  if (!loaded.deferredSelections) return undefined;
  state.specifications ??= new Map();
  const held = await heldIntegrationNames(loaded.set, state.object!, loaded.reader, state.observed!.integrations, state.specifications, loaded.identities);
  const found = await loaded.deferredSelections((object) => held.has(object.head.metadata.name));
  const { deferredSelections: _checked, ...rest } = loaded;
  const problems = sortProblems([...loaded.problems, ...found]);
  state.loaded = { ...rest, problems, errors: problems.filter((p) => p.severity === 'error') };
  return invalid(state, state.loaded.errors);
};

/** Plans; a plan that policy refuses stops here, in any mode. */
export const planChanges: EnvironmentStep = async (state, ctx) => {
  const diffs = recordingBreakingCheck();
  const plan = makePlan(state.desired!, state.observed!, environmentPolicy(state.object!.manifest), diffs.check);
  state.plan = plan;
  state.drifted = plan.notices.filter((n) => n.type === 'Drifted').map((n) => n.name);
  state.interfaceChanges = changesOf(plan, diffs.changes);
  if (ctx.mode === 'plan' && plan.blocked) return { kind: 'Blocked', reason: plan.blocked.reason, message: plan.blocked.message };
  return undefined;
};

/**
 * Asks the environment whether every sealed value the plan would apply opens with its key, and
 * whether every sealed private key belongs to its certificate; a value that does not open, or a key
 * that does not match, fails the plan, located at its manifest line, before anything is applied.
 * Every such problem is reported at once.
 */
export const verifySealedSecrets: EnvironmentStep = async (state) => {
  const [unopened, mismatched] = await Promise.all([
    unopenedSealedValues(state.plan!, state.loaded!.set, state.driver!),
    mismatchedKeyPairs(state.plan!, state.loaded!.set, state.driver!),
  ]);
  if (unopened.length === 0 && mismatched.length === 0) return undefined;
  state.problems = sortProblems([...unopened.map((u) => u.problem), ...mismatched.map((m) => m.problem)]);
  const parts: string[] = [];
  if (unopened.length > 0) {
    const which = unopened.map((u) => `connection ${u.connection} ${u.field}`).join(', ');
    const count = unopened.length === 1 ? 'a sealed value does' : `${unopened.length} sealed values do`;
    parts.push(`${count} not open with environment ${state.name}'s key (${which})`);
  }
  if (mismatched.length > 0) {
    const which = mismatched.map((m) => `connection ${m.connection}${m.problem.reason === 'KeyUnreadable' ? ': cannot be read' : ''}`).join(', ');
    const count = mismatched.length === 1 ? 'a private key does' : `${mismatched.length} private keys do`;
    parts.push(`${count} not match ${mismatched.length === 1 ? 'its certificate' : 'their certificates'} (${which})`);
  }
  return { kind: 'ValidationFailed', message: `${parts.join('; ')}; nothing applied` };
};

/**
 * Asks the gate: promotion, approvals (read only when there is something to apply), autoApply.
 * `intctl plan` and a pull request's check stop here, with the gate's verdict of applying now.
 */
export const passGate: EnvironmentStep = async (state, ctx) => {
  const plan = state.plan!;
  const object = state.object!;
  const policy = environmentPolicy(object.manifest);
  const commit = state.loaded!.commit;
  const from = object.manifest.spec.promotesFrom;
  const needsApprovals = plan.actions.length > 0 && !plan.blocked && policy.requiredApprovals > 0;
  const decision = gate({
    plan,
    policy,
    trigger: ctx.trigger,
    approvals: needsApprovals ? await ctx.approvals(object, commit) : [],
    ...(from && plan.actions.length > 0 ? { promotion: { from, ready: await ctx.promotionReady(from, commit) } } : {}),
  });
  state.decision = decision;
  if (ctx.mode === 'plan') return { kind: 'Planned', pending: plan.actions.length, drifted: state.drifted! };
  if (decision.allowed) return decision.reason === 'NothingToDo' ? { kind: 'Applied', applied: 0, drifted: state.drifted! } : undefined;
  if (decision.reason === 'BreakingChangeRefused' || decision.reason === 'PruneRefused') return { kind: 'Blocked', reason: decision.reason, message: decision.message };
  return { kind: 'Waiting', reason: decision.reason, message: decision.message, pending: plan.actions.length };
};

/** Applies action by action under the environment's lease. */
export const applyChanges: EnvironmentStep = async (state, ctx) => {
  const result = await applyPlan(state.driver!, state.plan!, {
    holder: ctx.holder,
    leaseTtlMs: ctx.leaseTtlMs,
    commit: state.loaded!.commit,
    ...(ctx.onAction ? { onAction: ctx.onAction } : {}),
  });
  state.apply = result;
  switch (result.status) {
    case 'Applied':
      return { kind: 'Applied', applied: result.applied, drifted: state.drifted! };
    case 'LeaseHeld':
      return { kind: 'LeaseHeld', message: result.message };
    case 'Failed':
      return { kind: 'ApplyFailed', reason: result.reason, message: `${actionSentence(result.failedAction)} failed: ${result.message}`, retry: result.retry };
  }
};

/** The steps, in order. */
export const ENVIRONMENT_STEPS: readonly EnvironmentStep[] = [loadCommit, findEnvironment, checkSuspended, openEnvironment, observe, checkSelections, buildDesired, planChanges, verifySealedSecrets, passGate, applyChanges];

/** An error a step threw (the environment unreachable, a store that failed): with its class's retry policy. */
export function failedOutcome(error: unknown): ReconcileOutcome {
  return { kind: 'ApplyFailed', reason: reasonOf(error, 'EnvironmentUnavailable'), message: messageOf(error), retry: retryPolicyOf(error, 'needs-human') };
}

/** The interface changes of each integration the plan publishes over a version the environment has (the planner's diffs). */
function changesOf(plan: Plan, diffs: ReadonlyMap<string, CatalogChange[]>): Record<string, CatalogChange[]> {
  const out: Record<string, CatalogChange[]> = {};
  for (const action of plan.actions) {
    if (action.type !== 'Publish') continue;
    const changes = diffs.get(action.integration.name);
    if (changes && changes.length > 0) out[action.integration.name] = changes;
  }
  return out;
}
