import { randomUUID } from 'node:crypto';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { LoadedObject } from '../core/manifest.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import type { Environment } from '../generated/manifests.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';
import { eventsOfTransition } from '../notifications/events-of-transition.ts';
import type { StatusTransition } from '../notifications/events-of-transition.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { requestKey, requestOfKey, type ReconcileRequest, type ReconcileResult, type RequestKind } from '../reconcilers/reconciler.ts';
import { statusReporter } from '../reporting/status-branch/report-status.ts';
import type { StatusWriter } from '../reporting/status-branch/status-writer.ts';
import type { GitSource, LoadedCommit } from '../source/git-source.ts';
import { trackSource } from '../source/tracked-source.ts';
import { createArtifactCache } from './artifact-cache.ts';
import { createGenerationCache, type GenerationStore } from '../artifact/generation-cache.ts';
import type { BackoffOptions } from './backoff.ts';
import { createControllerGithub, type GithubDeps } from './controller-github.ts';
import { createEnvironmentWorker, type EnvironmentWorkerDeps } from './environment-worker.ts';
import { createShardOwnership } from './shard-ownership.ts';
import { createSourceWorker } from './source-worker.ts';
import { createWorkQueue, type QueueTimers, type WorkQueue } from './work-queue.ts';

/** The request that fetches the tracked branch and finds its environments: used until environments are known. */
export const SOURCE_REQUEST: ReconcileRequest = { kind: 'Source', name: 'branch' };

/**
 * Artifacts kept between reconciles. It must hold every integration of every environment, or a
 * reconcile generates again what it evicted the time before and stops being incremental: 10,000
 * integrations in a few environments fit. Memory grows with the repository, not with time.
 */
const ARTIFACT_CACHE_SIZE = 50_000;

export interface ControllerDeps {
  source: GitSource;
  /** Status commits; none: the status lives in memory only. */
  statusWriter?: StatusWriter;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  /** Shards: whether this replica owns a shard key (process/shard-membership.ts); default: it owns everything. */
  owns?: (key: string) => boolean;
  holder: string;
  leaseTtlMs: number;
  logger: Logger;
  metrics: ControllerMetrics;
  queue: { concurrency: number; backoff: BackoffOptions; requeueWaitingMs: number; timers?: QueueTimers; random?: () => number };
  /** GitHub: check runs or statuses, pull request plans, approvals; none: approvals are never given. */
  github?: GithubDeps;
  /** The tracked branch: pull requests into it are planned. */
  branch?: string;
  now?: () => Date;
  newReconcileId?: () => string;
  /** Generations kept across restarts (the state directory's cache); in memory only when left out. */
  generationStore?: GenerationStore;
  /** Told of status transitions (Stalled, AwaitingApproval, ...); it queues and never blocks a reconcile. */
  notifier?: Notifier;
  /** Told after each environment reconcile (the dashboard's store). */
  onReconciled?: EnvironmentWorkerDeps['onReconciled'];
}

export interface Controller {
  /** Enqueues every environment this replica owns (or, before any is known, the Source request that finds them); returns what it enqueued. */
  enqueueAll(reason: string): string[];
  /** Enqueues the environments named that are known; the others come back as `unknown`. */
  enqueue(environments: readonly string[], reason: string): { enqueued: string[]; unknown: string[] };
  /** Enqueues the plan of a pull request (reported as check runs); false when GitHub is not configured. */
  enqueuePullRequest(number: number, reason: string): boolean;
  /**
   * A review of a pull request was submitted or dismissed: its checks are planned again and, once
   * merged, the environments waiting for its approvals are reconciled, without a new push.
   */
  reviewed(number: number, merged: boolean, reason: string): string[];
  /** Ready for traffic once a fetch has succeeded, until shutdown begins; when not, why. */
  readiness(): { ready: boolean; reason?: string };
  statuses(): EnvironmentStatus[];
  /** The known environments this replica owns, sorted. */
  owned(): string[];
  /**
   * After the live shards changed: enqueues the environments this replica owns now and did not
   * before, and forgets the status of those it no longer owns (their new owner reports them).
   */
  rebalance(reason: string): string[];
  readonly queue: WorkQueue;
  /** Stops taking work and resolves once the reconciles in flight have finished. */
  stop(): Promise<void>;
}

/**
 * The controller: one work queue of reconcile requests, dispatched by kind through a map to a
 * worker each (Source, Environment, PullRequest). Triggers only enqueue. The controller keeps
 * what the workers share: which environments are known and owned, and their last status.
 */
export function createController(deps: ControllerDeps): Controller {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newReconcileId ?? (() => randomUUID());
  const source = trackSource(deps.source, deps.metrics);
  const statuses = new Map<string, EnvironmentStatus>();
  const ownership = createShardOwnership({ ...(deps.owns ? { ownsKey: deps.owns } : {}), logger: deps.logger });
  const artifactCache = createArtifactCache(ARTIFACT_CACHE_SIZE, createGenerationCache(deps.generationStore ? { store: deps.generationStore } : {}));
  const reporter = statusReporter(deps.statusWriter, deps.metrics);
  let stopping = false;

  const add = (request: ReconcileRequest, reason: string | undefined): boolean => queue.add(requestKey(request), reason);
  const addEnvironments = (names: readonly string[], reason: string | undefined): string[] => names.filter((name) => add({ kind: 'Environment', name }, reason));
  const forget = (name: string): void => {
    statuses.delete(name);
    reporter.forget(name);
  };
  const applyChange = (change: { gained: string[]; forgotten: string[] }, reason: string | undefined): string[] => {
    for (const name of change.forgotten) forget(name);
    return addEnvironments(change.gained, reason);
  };
  // Environments found by a fetch run for the reason that fetch ran for.
  const learn = (commit: LoadedCommit, reason: string | undefined): void => void applyChange(ownership.learn(commit.set.environments), reason);

  const github = deps.github
    ? createControllerGithub({
        ...deps.github,
        source,
        branch: deps.branch ?? 'main',
        openDriver: deps.openDriver,
        artifactCache,
        knownEnvironments: () => ownership.known(),
        trustedEnvironment: (name) => ownership.environment(name),
        holder: deps.holder,
        leaseTtlMs: deps.leaseTtlMs,
        logger: deps.logger,
      })
    : undefined;

  const workers: Record<RequestKind, (request: ReconcileRequest, reason: string | undefined) => Promise<ReconcileResult>> = {
    Source: createSourceWorker({ source, learn, logger: deps.logger, metrics: deps.metrics, newId, known: () => ownership.known() }),
    Environment: createEnvironmentWorker({
      source,
      openDriver: deps.openDriver,
      ownership,
      statuses,
      learn,
      forget,
      enqueue: (names, reason) => void addEnvironments(names, reason),
      reporter,
      ...(github ? { github } : {}),
      artifactCache,
      holder: deps.holder,
      leaseTtlMs: deps.leaseTtlMs,
      delays: { waitingMs: deps.queue.requeueWaitingMs, leaseHeldMs: deps.leaseTtlMs },
      logger: deps.logger,
      metrics: deps.metrics,
      now,
      newId,
      ...(deps.notifier ? { onStatus: (transition) => notify(deps.notifier!, transition, deps.logger) } : {}),
      ...(deps.onReconciled ? { onReconciled: deps.onReconciled } : {}),
    }),
    // A pull request's plan is read-only, so any replica may run it (shards split applies, not plans).
    PullRequest: async (request) => ({ requeue: github ? await github.planPullRequest(request) : { policy: 'settled' } }),
  };

  const queue: WorkQueue = createWorkQueue({
    concurrency: deps.queue.concurrency,
    backoff: deps.queue.backoff,
    ...(deps.queue.timers ? { timers: deps.queue.timers } : {}),
    ...(deps.queue.random ? { random: deps.queue.random } : {}),
    worker: async (key, reason) => {
      const request = requestOfKey(key);
      if (!request) throw new Error(`not a reconcile request: ${key}`);
      return (await workers[request.kind](request, reason)).requeue;
    },
    onError: (key, error) => {
      deps.metrics.errors.inc({ reason: 'InternalError' });
      deps.logger.error({ key, err: error }, 'reconcile failed unexpectedly; retrying with backoff');
    },
    onRequeue: (key, delayMs, requeue) => deps.logger.debug({ key, delayMs, policy: requeue.policy }, 'requeued'),
  });
  deps.metrics.observeQueueDepth(() => queue.depth());
  deps.metrics.observeEnvironments(() => ownership.owned().map((name) => ({ environment: name, ...statuses.get(name) })));

  const api: Controller = {
    enqueueAll(reason) {
      source.triggered();
      // A replica that owns none of the known environments still fetches, to find new ones it may own.
      const mine = ownership.owned();
      const enqueued = mine.length > 0 ? addEnvironments(mine, reason) : add(SOURCE_REQUEST, reason) ? [requestKey(SOURCE_REQUEST)] : [];
      deps.logger.debug({ reason, enqueued }, 'enqueued');
      return enqueued;
    },
    enqueue(environments, reason) {
      source.triggered();
      const names = [...new Set(environments)];
      const unknown = names.filter((name) => !ownership.isKnown(name));
      // A known name owned by another shard is neither enqueued nor unknown: its owner reconciles it.
      const notOwned = names.filter((name) => ownership.isKnown(name) && !ownership.owns(name));
      const enqueued = addEnvironments(names.filter((name) => ownership.isKnown(name) && ownership.owns(name)), reason);
      // A name not known may have been added in a commit not fetched yet.
      if (unknown.length > 0) add(SOURCE_REQUEST, reason);
      deps.logger.debug({ reason, enqueued, unknown, ...(notOwned.length > 0 ? { notOwned } : {}) }, 'enqueued');
      return { enqueued, unknown };
    },
    enqueuePullRequest(number, reason) {
      if (!github) return false;
      const added = add({ kind: 'PullRequest', name: String(number) }, reason);
      deps.logger.debug({ reason, pullRequest: number, added }, 'pull request enqueued');
      return true;
    },
    reviewed(number, merged, reason) {
      if (!github) return [];
      if (!merged) {
        const request: ReconcileRequest = { kind: 'PullRequest', name: String(number) };
        add(request, reason);
        return [requestKey(request)];
      }
      const waiting = ownership.known().filter((name) => statuses.get(name)?.outcome === 'Waiting' || !statuses.has(name));
      return api.enqueue(waiting, reason).enqueued;
    },
    readiness() {
      if (stopping) return { ready: false, reason: 'shutting down' };
      if (!source.fetchedOnce()) return { ready: false, reason: 'the tracked branch has not been fetched yet' };
      return { ready: true };
    },
    statuses: () => [...statuses.values()].sort((a, b) => (a.environment < b.environment ? -1 : 1)),
    owned: () => ownership.owned(),
    rebalance(reason) {
      const enqueued = applyChange(ownership.refresh(), reason);
      deps.logger.info({ reason, owned: ownership.owned(), enqueued }, 'shards rebalanced');
      return enqueued;
    },
    queue,
    async stop() {
      stopping = true;
      await queue.shutDown();
    },
  };
  return api;
}

/** Hands a transition's events to the notifier; whatever goes wrong there, the reconcile goes on. */
function notify(notifier: Notifier, transition: StatusTransition, logger: Logger): void {
  try {
    notifier.notify(eventsOfTransition(transition));
  } catch (error) {
    logger.error({ err: error, environment: transition.status.environment }, 'notifications of a status change could not be queued');
  }
}
