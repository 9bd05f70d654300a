import type { CatalogChange } from '../../artifact/diff-catalogs.ts';
import type { GateDecision } from '../../core/gate.ts';
import type { LoadedObject } from '../../core/manifest.ts';
import type { Plan } from '../../core/plan.ts';
import type { Problem } from '../../core/problem.ts';
import type { ReconcileOutcome } from '../../core/reconcile-outcome.ts';
import type { Environment } from '../../generated/manifests.ts';
import type { ReconcileRequest } from '../reconciler.ts';
import type { ApplyResult } from './apply-plan.ts';
import type { EnvironmentContext, LoadedManifests } from './environment-context.ts';
import { ENVIRONMENT_STEPS, failedOutcome, type EnvironmentState } from './environment-steps.ts';
import { UnknownEnvironmentError } from './unknown-environment-error.ts';

export interface ReconcileReport {
  environment: string;
  /** The commit reconciled; none when it could not even be loaded. */
  commit?: string;
  /** The commit's manifests, when they were loaded. */
  loaded?: LoadedManifests;
  /** Problems found by this reconcile: the manifests' errors, or what generation found. */
  problems: Problem[];
  /** The Environment manifest, when the commit defines it. */
  object?: LoadedObject<Environment>;
  plan?: Plan;
  decision?: GateDecision;
  apply?: ApplyResult;
  outcome: ReconcileOutcome;
  /** Per integration the plan republishes over a published version: its interface changes, breaking first. */
  interfaceChanges?: Record<string, CatalogChange[]>;
}

/**
 * The environment reconciler: one reconcile of one environment at the commit the context loads,
 * as a fixed list of small steps in the order of the design (load the commit, check it is not
 * suspended, open the environment, generate what Git wants, observe what it has, plan, gate,
 * apply). Each step either hands on to the next or ends the reconcile with an outcome; every way
 * it can end is a ReconcileOutcome, and the report says what each step found. Only a caller's
 * mistake (an environment the commit does not define) throws. Status is not written here: the
 * caller hands the outcome to finalize, once.
 */
export async function reconcileEnvironment(request: ReconcileRequest, ctx: EnvironmentContext): Promise<ReconcileReport> {
  const state: EnvironmentState = { name: request.name, problems: [] };
  let outcome: ReconcileOutcome | undefined;
  try {
    for (const step of ENVIRONMENT_STEPS) {
      outcome = await step(state, ctx);
      if (outcome) break;
    }
  } catch (error) {
    if (error instanceof UnknownEnvironmentError) throw error;
    outcome = failedOutcome(error);
  } finally {
    await state.driver?.close();
  }
  return reportOf(state, withWarnings(state, outcome ?? { kind: 'Applied', applied: 0, drifted: [] }));
}

/** An environment that is Ready says what needs attention soon: its connections' certificates that expire within 30 days. */
function withWarnings(state: EnvironmentState, outcome: ReconcileOutcome): ReconcileOutcome {
  if (outcome.kind !== 'Applied' || !state.loaded) return outcome;
  const field = `spec.environments.${state.name}.`;
  const warnings = state.loaded.problems
    .filter((p) => p.reason === 'CertificateExpiresSoon' && p.object?.kind === 'Connection' && p.field?.startsWith(field) === true)
    .map((p) => `connection ${p.object!.name}: ${p.message}`);
  return warnings.length === 0 ? outcome : { ...outcome, warnings };
}

function reportOf(state: EnvironmentState, outcome: ReconcileOutcome): ReconcileReport {
  return {
    environment: state.name,
    ...(state.loaded ? { commit: state.loaded.commit, loaded: state.loaded } : {}),
    problems: state.problems,
    ...(state.object ? { object: state.object } : {}),
    ...(state.plan ? { plan: state.plan, interfaceChanges: state.interfaceChanges ?? {} } : {}),
    ...(state.decision ? { decision: state.decision } : {}),
    ...(state.apply ? { apply: state.apply } : {}),
    outcome,
  };
}
