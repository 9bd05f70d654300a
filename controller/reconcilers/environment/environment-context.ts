import type { ArtifactCache, IdentityStore } from '../../artifact/build-artifact.ts';
import type { ManifestSet, LoadedObject } from '../../core/manifest.ts';
import type { ApplyOutcome, EnvironmentDriver } from '../../environments/driver.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { Problem } from '../../core/problem.ts';
import type { RepositoryReader } from '../../core/repository-reader.ts';
import type { Environment, Integration } from '../../generated/manifests.ts';
import type { SpecModels } from '../../generators/spec-models.ts';

/** One commit's manifests, loaded and validated: what the environment reconciler starts from. */
export interface LoadedManifests {
  /** The commit read (or what stands for it when a work tree is read). */
  commit: string;
  reader: RepositoryReader;
  set: ManifestSet;
  /** Every problem found, warnings included. */
  problems: Problem[];
  /** The problems that are errors: when there are any, nothing of this commit may be applied. */
  errors: Problem[];
  /** The specifications the load parsed to check selections: generation takes them from here instead of parsing again. */
  models?: SpecModels;
  /**
   * Selections the load left unchecked, for the reconcile to check once it knows what the
   * environment holds (see checkSelections); `problems` and `errors` do not include them yet.
   */
  deferredSelections?: (skip: (object: LoadedObject<Integration>) => boolean) => Promise<Problem[]>;
  /** Content hashes kept across runs by manifest content (the CLI's cache directory), for objects that carry a contentKey. */
  identities?: IdentityStore;
}

/**
 * What the environment reconciler is given: where the manifests come from, how to reach an
 * environment, what the gate may ask (approvals, promotion) and how far to go. The controller,
 * `intctl plan|apply` and the demo each build one; the reconciler is the same for all three, so a
 * plan, a gate and a promotion mean the same thing wherever they run.
 */
export interface EnvironmentContext {
  /** Loads the commit to reconcile. Throws (a TransientError such as GitFetchFailedError) when it cannot. */
  load(): Promise<LoadedManifests>;
  openDriver(environment: LoadedObject<Environment>): Promise<EnvironmentDriver>;
  /** `plan` stops at the gate (recording what it would decide); `apply` goes on through it. */
  mode: 'plan' | 'apply';
  /** Who asked: the controller on its own, or a person running `intctl apply`. */
  trigger: 'automatic' | 'manual';
  /**
   * The users whose approvals of the pull request the commit came from count; asked only when the
   * gate needs them (a plan with work to do, in an environment that requires approvals), so an
   * environment in step costs GitHub nothing.
   */
  approvals(environment: LoadedObject<Environment>, commit: string): Promise<readonly string[]>;
  /**
   * Whether environment `from` is Ready at `commit`: what an environment that promotes from it
   * waits for. Every caller answers it with isReadyAt over a status that finalize made.
   */
  promotionReady(from: string, commit: string): Promise<boolean>;
  holder: string;
  leaseTtlMs: number;
  /** Called after each action applied, for a progress line or a log line. */
  onAction?: (action: PlanAction, outcome: ApplyOutcome, index: number, total: number) => void;
  /** Called as the integrations of an environment are generated (or found published at their hash), for a progress line. */
  onGenerate?: (environment: string, done: number, total: number) => void;
  /** Artifacts generated before, by content hash, so unchanged integrations are not generated again. */
  artifactCache?: ArtifactCache;
}
