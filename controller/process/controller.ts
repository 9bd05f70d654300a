import { randomUUID } from 'node:crypto';
import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import { actionTarget } from '../core/describe-action.ts';
import { formatProblem } from '../core/problem.ts';
import { environmentConditions, type ReconcileOutcome } from '../core/status.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import type { Environment } from '../generated/manifests.ts';
import type { ApprovalSummary } from '../reporting/github/check-report.ts';
import { createControllerGithub, pullRequestKey, pullRequestOfKey, type GithubDeps } from './controller-github.ts';
import { reconcileEnvironment, UnknownEnvironmentError, type ReconcileReport } from '../reconcilers/environment/reconcile-environment.ts';
import type { GitSource, LoadedCommit } from '../source/git-source.ts';
import type { StatusWriter } from '../reporting/status-branch/status-writer.ts';
import { createArtifactCache } from './artifact-cache.ts';
import type { BackoffOptions } from './backoff.ts';
import { isReadyAt, readyReason, type EnvironmentStatus } from '../core/environment-status.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';
import { publishedAndApplied } from '../reconcilers/environment/published-and-applied.ts';
import { statusReporter } from '../reporting/status-branch/report-status.ts';
import { requeueFor, type Requeue } from '../core/requeue-policy.ts';
import { trackSource } from '../source/tracked-source.ts';
import { createWorkQueue, type QueueTimers, type WorkQueue } from './work-queue.ts';

/** The queue key that fetches, loads and enqueues every environment found: used until environments are known. */
export const SOURCE_KEY = '@source';

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
  /**
   * Shards: whether this replica owns a key (process/shard-membership.ts); default: it owns
   * everything. The key of an environment is the first environment of its promotion chain, so that
   * a chain stays on one replica, where the promotion gate can read the status it promotes from.
   */
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
}

export interface Controller {
  /** Enqueues every environment of the tracked branch (or, before any is known, a fetch that finds them). */
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
 * The reconcile loop. Each queue item names one environment; its reconcile fetches the branch,
 * loads the commit, reconciles the environment (reconcileEnvironment), computes its conditions,
 * writes `status/<environment>.yaml` when the status changed, and hands the outcome to the requeue
 * policy. An environment that became Ready enqueues those that promote from it.
 */
export function createController(deps: ControllerDeps): Controller {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newReconcileId ?? (() => randomUUID());
  const source = trackSource(deps.source, deps.metrics);
  const statuses = new Map<string, EnvironmentStatus>();
  let known = new Set<string>();
  let stopping = false;
  const ownsKey = deps.owns ?? (() => true);
  let environments: ManifestSet['environments'] = [];
  let owned = new Set<string>();
  const artifactCache = createArtifactCache(ARTIFACT_CACHE_SIZE);
  const github = deps.github
    ? createControllerGithub({
        ...deps.github,
        source,
        branch: deps.branch ?? 'main',
        openDriver: deps.openDriver,
        artifactCache,
        knownEnvironments: () => [...known],
        trustedEnvironment: (name) => environments.find((e) => e.manifest.metadata.name === name),
        holder: deps.holder,
        leaseTtlMs: deps.leaseTtlMs,
        logger: deps.logger,
      })
    : undefined;
  const reporter = statusReporter(deps.statusWriter, deps.metrics);
  const delays = { waitingMs: deps.queue.requeueWaitingMs, leaseHeldMs: deps.leaseTtlMs };

  const queue = createWorkQueue({
    concurrency: deps.queue.concurrency,
    backoff: deps.queue.backoff,
    ...(deps.queue.timers ? { timers: deps.queue.timers } : {}),
    ...(deps.queue.random ? { random: deps.queue.random } : {}),
    worker: (key) => {
      if (key === SOURCE_KEY) return discover();
      const pull = pullRequestOfKey(key);
      return pull !== undefined ? planPull(pull) : reconcile(key);
    },
    onError: (key, error) => {
      deps.metrics.errors.inc({ reason: 'InternalError' });
      deps.logger.error({ key, err: error }, 'reconcile failed unexpectedly; retrying with backoff');
    },
    onRequeue: (key, delayMs, requeue) => deps.logger.debug({ key, delayMs, policy: requeue.policy }, 'requeued'),
  });
  deps.metrics.observeQueueDepth(() => queue.depth());

  /** Takes note of the environments of a valid commit: new ones are enqueued (if owned), removed ones forgotten. */
  const learn = (set: ManifestSet): void => {
    const names = new Set(set.environments.map((e) => e.manifest.metadata.name));
    for (const name of known) if (!names.has(name)) forget(name);
    known = names;
    environments = set.environments;
    if (deps.owns) warnEmbeddedWithShards(set);
    refreshOwnership();
  };

  /** An embedded environment lives in one replica's files: with shards, the next owner would start from an empty store. */
  const warnedEmbedded = new Set<string>();
  const warnEmbeddedWithShards = (set: ManifestSet): void => {
    for (const e of set.environments) {
      const name = e.manifest.metadata.name;
      if (e.manifest.spec.driver !== 'embedded' || warnedEmbedded.has(name)) continue;
      warnedEmbedded.add(name);
      deps.logger.warn(
        { environment: name, path: e.manifest.spec.path },
        'an embedded environment with shards: a replica that takes it over opens its own store of it unless spec.path is on storage every replica shares; use an environment server (driver http)',
      );
    }
  };

  /** The shard key of an environment: the first of its promotion chain (a cycle, refused by validation, stops the walk). */
  const shardKey = (name: string): string => {
    const seen = new Set<string>();
    let key = name;
    for (;;) {
      seen.add(key);
      const from = environments.find((e) => e.manifest.metadata.name === key)?.manifest.spec.promotesFrom;
      if (from === undefined || seen.has(from) || !known.has(from)) return key;
      key = from;
    }
  };

  const isOwned = (name: string): boolean => ownsKey(shardKey(name));

  /** Recomputes which known environments are owned: enqueues those newly owned, forgets those no longer owned. */
  const refreshOwnership = (): string[] => {
    const next = new Set([...known].filter(isOwned));
    const gained = [...next].filter((name) => !owned.has(name));
    for (const name of owned) if (known.has(name) && !next.has(name)) forget(name);
    owned = next;
    return gained.filter((name) => queue.add(name));
  };

  const forget = (name: string): void => {
    statuses.delete(name);
    reporter.forget(name);
    deps.metrics.lastSuccess.remove({ environment: name });
  };

  async function discover(): Promise<Requeue> {
    const log = deps.logger.child({ reconcileId: newId(), key: SOURCE_KEY });
    let loaded: LoadedCommit;
    try {
      loaded = await source.load(await source.fetch());
    } catch (error) {
      deps.metrics.errors.inc({ reason: 'GitFetchFailed' });
      log.warn({ err: error }, 'cannot fetch the tracked branch; retrying with backoff');
      return { policy: 'transient' };
    }
    const errors = loaded.errors;
    if (errors.length > 0) {
      log.warn({ commit: loaded.commit, problems: errors.slice(0, 20).map(formatProblem) }, 'the manifests are not valid; waiting for a fix');
      return { policy: 'needs-human' };
    }
    learn(loaded.set);
    log.info({ commit: loaded.commit, environments: [...known] }, 'environments found');
    return { policy: 'settled' };
  }

  async function reconcile(environment: string): Promise<Requeue> {
    const started = performance.now();
    let log = deps.logger.child({ environment, reconcileId: newId() });
    // Queued before the shards changed: its new owner reconciles it.
    if (known.has(environment) && !isOwned(environment)) return notOwned(log);
    log.debug('reconcile started');
    const previous = statuses.get(environment);
    let commit: string;
    let loaded: LoadedCommit;
    try {
      commit = await source.fetch();
    } catch (error) {
      return finish(environment, log, started, { kind: 'GitFetchFailed', message: messageOf(error) }, previous?.observedCommit);
    }
    log = log.child({ commit });
    try {
      loaded = await source.load(commit);
    } catch (error) {
      return finish(environment, log, started, { kind: 'GitFetchFailed', message: `cannot read commit ${commit}: ${messageOf(error)}` }, previous?.observedCommit);
    }
    const errors = loaded.errors;
    if (errors.length > 0) {
      log.warn({ problems: errors.slice(0, 20).map(formatProblem) }, 'the manifests are not valid; nothing applied');
      const message = `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'} in the manifests; nothing applied`;
      const outcome = { kind: 'ValidationFailed', message } as const;
      await github?.reportPush({ environment, commit, problems: errors, outcome }, errors, undefined, log);
      return finish(environment, log, started, outcome, commit);
    }
    learn(loaded.set);
    if (!known.has(environment)) {
      log.info('the environment is no longer in the repository; forgotten');
      return { policy: 'settled' };
    }
    if (!isOwned(environment)) return notOwned(log);
    const object = loaded.set.environments.find((e) => e.manifest.metadata.name === environment)!;
    // Read from GitHub only if the gate asks; kept for the check run on the commit.
    let approvals: ApprovalSummary | undefined;
    let report: ReconcileReport;
    try {
      report = await reconcileEnvironment({
        environment,
        commit,
        reader: loaded.reader,
        manifests: loaded.set,
        artifactCache,
        openDriver: deps.openDriver,
        mode: 'apply',
        trigger: 'automatic',
        approvals: github ? async () => (approvals = await github.approvals(object, commit, log))?.counted ?? [] : [],
        promotionReady: async (from) => isReadyAt(statuses.get(from), commit),
        holder: deps.holder,
        leaseTtlMs: deps.leaseTtlMs,
        onAction: (action, outcome, index, total) =>
          log.info({ action: action.type, target: actionTarget(action), result: outcome, step: index + 1, of: total }, 'action applied'),
      });
    } catch (error) {
      if (!(error instanceof UnknownEnvironmentError)) throw error;
      forget(environment);
      return { policy: 'settled' };
    }
    if (report.problems.length > 0) log.warn({ problems: report.problems.slice(0, 20).map(formatProblem) }, 'problems found');
    const extra = await publishedAndApplied(report, () => deps.openDriver(object), previous, now(), log);
    const requeue = await finish(environment, log, started, report.outcome, commit, extra);
    await github?.reportPush(report, loaded.problems, approvals, log);
    // The shards changed while it ran: the new owner reports it from now on.
    if (!isOwned(environment)) forget(environment);
    if (report.outcome.kind === 'Applied') {
      for (const next of loaded.set.environments) {
        if (next.manifest.spec.promotesFrom === environment && isOwned(next.manifest.metadata.name)) queue.add(next.manifest.metadata.name);
      }
    }
    return requeue;
  }

  /** A pull request's plan: read-only, so any replica may run it (shards split applies, not plans). */
  async function planPull(number: number): Promise<Requeue> {
    if (!github) return { policy: 'settled' };
    return github.planPullRequest(number);
  }

  function notOwned(log: Logger): Requeue {
    log.debug('owned by another shard; skipped');
    return { policy: 'settled' };
  }

  async function finish(
    environment: string,
    log: Logger,
    started: number,
    outcome: ReconcileOutcome,
    commit: string | undefined,
    extra?: Pick<EnvironmentStatus, 'published' | 'lastApplied'>,
  ): Promise<Requeue> {
    const at = now();
    const previous = statuses.get(environment);
    const conditions = environmentConditions(outcome, commit, at, previous?.conditions);
    const ready = outcome.kind === 'Applied';
    const status: EnvironmentStatus = {
      environment,
      conditions,
      ...(commit ? { observedCommit: commit } : {}),
      lastReconcileTime: at.toISOString(),
      ...(ready ? { lastSuccessfulReconcileTime: at.toISOString() } : previous?.lastSuccessfulReconcileTime ? { lastSuccessfulReconcileTime: previous.lastSuccessfulReconcileTime } : {}),
      outcome: outcome.kind,
      published: extra?.published ?? previous?.published ?? [],
      ...(extra?.lastApplied ? { lastApplied: extra.lastApplied } : previous?.lastApplied ? { lastApplied: previous.lastApplied } : {}),
    };
    statuses.set(environment, status);

    const reason = readyReason(conditions);
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.reconcileDuration.observe({ environment, outcome: outcome.kind }, seconds);
    if (ready) deps.metrics.lastSuccess.set({ environment }, at.getTime() / 1000);
    const requeue = requeueFor(outcome, delays);
    const isError = !ready && outcome.kind !== 'Suspended' && outcome.kind !== 'Waiting';
    if (isError) deps.metrics.errors.inc({ reason });
    const fields = { outcome: outcome.kind, reason, durationMs: Math.round(seconds * 1000), requeue: requeue.policy, ...('message' in outcome ? { detail: outcome.message } : {}) };
    if (isError) log.warn(fields, 'reconcile ended with an error');
    else log.info({ ...fields, ...(outcome.kind === 'Applied' ? { applied: outcome.applied } : {}) }, 'reconcile finished');
    await reporter.write(status, log);
    return requeue;
  }

  const api: Controller = {
    enqueueAll(reason) {
      // A replica that owns none of the known environments still fetches, to find new ones it may own.
      const mine = [...known].filter(isOwned);
      const keys = mine.length > 0 ? mine : [SOURCE_KEY];
      const enqueued = keys.filter((key) => queue.add(key));
      deps.logger.debug({ reason, enqueued }, 'enqueued');
      return enqueued;
    },
    enqueue(environments, reason) {
      const names = [...new Set(environments)];
      const unknown = names.filter((name) => !known.has(name));
      // A known name owned by another shard is neither enqueued nor unknown: its owner reconciles it.
      const notOwned = names.filter((name) => known.has(name) && !isOwned(name));
      const enqueued = names.filter((name) => known.has(name) && isOwned(name) && queue.add(name));
      // A name not known may have been added in a commit not fetched yet.
      if (unknown.length > 0) queue.add(SOURCE_KEY);
      deps.logger.debug({ reason, enqueued, unknown, ...(notOwned.length > 0 ? { notOwned } : {}) }, 'enqueued');
      return { enqueued, unknown };
    },
    enqueuePullRequest(number, reason) {
      if (!github) return false;
      const added = queue.add(pullRequestKey(number));
      deps.logger.debug({ reason, pullRequest: number, added }, 'pull request enqueued');
      return true;
    },
    reviewed(number, merged, reason) {
      if (!github) return [];
      if (!merged) {
        queue.add(pullRequestKey(number));
        return [pullRequestKey(number)];
      }
      const waiting = [...known].filter((name) => statuses.get(name)?.outcome === 'Waiting' || !statuses.has(name));
      return api.enqueue(waiting, reason).enqueued;
    },
    readiness() {
      if (stopping) return { ready: false, reason: 'shutting down' };
      if (!source.fetchedOnce()) return { ready: false, reason: 'the tracked branch has not been fetched yet' };
      return { ready: true };
    },
    statuses: () => [...statuses.values()].sort((a, b) => (a.environment < b.environment ? -1 : 1)),
    owned: () => [...owned].sort(),
    rebalance(reason) {
      const enqueued = refreshOwnership();
      deps.logger.info({ reason, owned: [...owned].sort(), enqueued }, 'shards rebalanced');
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
