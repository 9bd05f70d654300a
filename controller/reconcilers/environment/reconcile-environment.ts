import type { Environment } from '../../generated/manifests.ts';
import { applyPlan, type ApplyResult } from './apply-plan.ts';
import type { ArtifactCache } from '../../artifact/build-artifact.ts';
import { gate, type GateDecision } from '../../core/gate.ts';
import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import { plan as makePlan, type Plan } from '../../core/plan.ts';
import type { Problem } from '../../core/problem.ts';
import { actionSentence } from '../../core/describe-action.ts';
import type { ReconcileOutcome } from '../../core/status.ts';
import type { CatalogChange } from '../../artifact/diff-catalogs.ts';
import { EnvironmentUnavailableError, type EnvironmentDriver } from '../../environments/driver.ts';
import { environmentPolicy } from '../../core/environment-policy.ts';
import { recordingBreakingCheck } from './breaking-check.ts';
import { buildDesiredState } from './desired-state.ts';
import { loadRepository } from '../../load/load-repository.ts';
import { createSpecModels } from '../../generators/spec-models.ts';
import type { RepositoryReader } from '../../core/repository-reader.ts';

export interface ReconcileRequest {
  environment: string;
  /** The commit the reader reads; recorded on everything applied. */
  commit: string;
  reader: RepositoryReader;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  /** `plan` computes and stops; `apply` goes on through the gate. */
  mode: 'plan' | 'apply';
  trigger: 'automatic' | 'manual';
  /**
   * Current approvals of the pull request the commit came from; or how to read them, asked only
   * when the gate needs them (a plan with work to do, in an environment that requires approvals),
   * so an environment in step costs GitHub nothing.
   */
  approvals: readonly string[] | (() => Promise<readonly string[]>);
  /** For an environment that promotes from another: is that one Ready at this commit? */
  promotionReady?: (from: string) => Promise<boolean>;
  holder: string;
  leaseTtlMs: number;
  onAction?: Parameters<typeof applyPlan>[2]['onAction'];
  /** Manifests already loaded for this commit, to skip loading them again. */
  manifests?: ManifestSet;
  /** Artifacts generated before, by content hash, so unchanged integrations are not generated again. */
  artifactCache?: ArtifactCache;
}

export interface ReconcileReport {
  environment: string;
  commit: string;
  problems: Problem[];
  plan?: Plan;
  decision?: GateDecision;
  apply?: ApplyResult;
  outcome: ReconcileOutcome;
  /** Per integration the plan republishes over a published version: its interface changes, breaking first. */
  interfaceChanges?: Record<string, CatalogChange[]>;
}

/** The environment a request names does not exist in the manifests: a mistake of the caller. */
export class UnknownEnvironmentError extends Error {
  readonly reason = 'UnknownEnvironment';
}

/**
 * One reconcile of one environment at one commit, in the fixed order of the design: load and
 * validate, generate the desired state, observe, plan, gate, apply. Every way it can end is a
 * ReconcileOutcome; only a caller's mistake (an environment that does not exist) throws.
 */
export async function reconcileEnvironment(request: ReconcileRequest): Promise<ReconcileReport> {
  const base = { environment: request.environment, commit: request.commit };
  let set = request.manifests;
  // Parsed once, for validation and generation alike.
  const models = createSpecModels();
  if (!set) {
    const loaded = await loadRepository(request.reader, { models });
    if (loaded.errors.length > 0) {
      const message = `${loaded.errors.length} ${loaded.errors.length === 1 ? 'problem' : 'problems'} in the manifests; nothing applied`;
      return { ...base, problems: loaded.errors, outcome: { kind: 'ValidationFailed', message } };
    }
    set = loaded.set;
  }
  const environment = set.environments.find((e) => e.manifest.metadata.name === request.environment);
  if (!environment) {
    const known = set.environments.map((e) => e.manifest.metadata.name).sort().join(', ') || 'none';
    throw new UnknownEnvironmentError(`environment ${request.environment} is not defined in the repository (defined: ${known})`);
  }
  if (environment.manifest.spec.suspend) return { ...base, problems: [], outcome: { kind: 'Suspended' } };

  let driver: EnvironmentDriver;
  try {
    driver = await request.openDriver(environment);
  } catch (error) {
    return { ...base, problems: [], outcome: unavailable(error) };
  }
  try {
    const keys = { publicKey: await driver.publicKey(), fingerprintKey: await driver.fingerprintKey() };
    const desired = await buildDesiredState(set, environment, request.reader, keys, request.commit, request.artifactCache, models);
    if (desired.problems.length > 0) {
      const names = [...new Set(desired.problems.map((p) => p.object?.name).filter(Boolean))].join(', ');
      return { ...base, problems: desired.problems, outcome: { kind: 'GenerationFailed', message: `could not generate ${names}; nothing applied` } };
    }
    const observed = await driver.observe();
    const policy = environmentPolicy(environment.manifest);
    const diffs = recordingBreakingCheck();
    const thePlan = makePlan(desired.state, observed, policy, diffs.check);
    const drifted = thePlan.notices.filter((n) => n.type === 'Drifted').map((n) => n.name);
    const interfaceChanges = changesOf(thePlan, diffs.changes);
    if (request.mode === 'plan') {
      return { ...base, problems: [], plan: thePlan, interfaceChanges, outcome: planOutcome(thePlan, drifted) };
    }

    const from = environment.manifest.spec.promotesFrom;
    const promotion = from && request.promotionReady ? { from, ready: await request.promotionReady(from) } : undefined;
    const decision = gate({
      plan: thePlan,
      policy,
      trigger: request.trigger,
      approvals: await approvalsFor(request, thePlan, policy.requiredApprovals),
      ...(promotion ? { promotion } : {}),
    });
    if (!decision.allowed) {
      const outcome: ReconcileOutcome = decision.reason === 'BreakingChangeRefused'
        ? { kind: 'Blocked', reason: decision.reason, message: decision.message }
        : { kind: 'Waiting', reason: decision.reason, message: decision.message, pending: thePlan.actions.length };
      return { ...base, problems: [], plan: thePlan, decision, interfaceChanges, outcome };
    }
    if (decision.reason === 'NothingToDo') {
      return { ...base, problems: [], plan: thePlan, decision, interfaceChanges, outcome: { kind: 'Applied', applied: 0, drifted } };
    }
    const result = await applyPlan(driver, thePlan, {
      holder: request.holder,
      leaseTtlMs: request.leaseTtlMs,
      commit: request.commit,
      ...(request.onAction ? { onAction: request.onAction } : {}),
    });
    return { ...base, problems: [], plan: thePlan, decision, apply: result, interfaceChanges, outcome: applyOutcome(result, drifted) };
  } catch (error) {
    return { ...base, problems: [], outcome: unavailable(error) };
  } finally {
    await driver.close();
  }
}

async function approvalsFor(request: ReconcileRequest, thePlan: Plan, required: number): Promise<readonly string[]> {
  if (typeof request.approvals !== 'function') return request.approvals;
  return thePlan.actions.length > 0 && !thePlan.blocked && required > 0 ? request.approvals() : [];
}

/** The interface changes of each integration the plan publishes over a version the environment has (the planner's diffs). */
function changesOf(thePlan: Plan, diffs: ReadonlyMap<string, CatalogChange[]>): Record<string, CatalogChange[]> {
  const out: Record<string, CatalogChange[]> = {};
  for (const action of thePlan.actions) {
    if (action.type !== 'Publish') continue;
    const changes = diffs.get(action.integration.name);
    if (changes && changes.length > 0) out[action.integration.name] = changes;
  }
  return out;
}

function planOutcome(thePlan: Plan, drifted: string[]): ReconcileOutcome {
  if (thePlan.blocked) return { kind: 'Blocked', reason: thePlan.blocked.reason, message: thePlan.blocked.message };
  return { kind: 'Applied', applied: 0, drifted };
}

function applyOutcome(result: ApplyResult, drifted: string[]): ReconcileOutcome {
  switch (result.status) {
    case 'Applied':
      return { kind: 'Applied', applied: result.applied, drifted };
    case 'LeaseHeld':
      return { kind: 'LeaseHeld', message: result.message };
    case 'Failed':
      return {
        kind: 'ApplyFailed',
        reason: result.reason,
        message: `${actionSentence(result.failedAction)} failed: ${result.message}`,
        // Another writer got in first, or the environment was busy: planning again sorts it out.
        transient: ['EnvironmentUnavailable', 'StalePlan', 'LeaseLost'].includes(result.reason),
      };
  }
}

function unavailable(error: unknown): ReconcileOutcome {
  const transient = error instanceof EnvironmentUnavailableError || (error as { code?: string }).code === 'SQLITE_BUSY';
  const reason = (error as { reason?: string }).reason ?? 'EnvironmentUnavailable';
  return { kind: 'ApplyFailed', reason, message: (error as Error).message, transient };
}
