import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig, GithubConfig } from '../config/controller-config.ts';
import { openDriver } from '../environments/open-driver.ts';
import type { GithubDeps } from './controller-github.ts';
import { createGithubClient } from '../reporting/github/github-client.ts';
import { createGithubMetrics } from '../reporting/github/github-metrics.ts';
import { createGithubReporter } from '../reporting/github/github-reporter.ts';
import { buildServer } from '../server/build-server.ts';
import { createDeliveryCache } from '../server/delivery-cache.ts';
import type { GitSource, GitSourceOptions } from '../source/git-source.ts';
import type { StatusWriter, StatusWriterOptions } from '../reporting/status-branch/status-writer.ts';
import { createController, type Controller } from './controller.ts';
import { createWebhookForwarder } from '../server/forward-webhook.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { intctlVersion } from '../observability/intctl-version.ts';
import { createMetrics } from '../observability/metrics.ts';
import { createNotifier, type Notifier } from '../notifications/notifier.ts';
import { backoffDelay } from './backoff.ts';
import { startPolling, type Trigger } from './poll-trigger.ts';
import { createShardMembership } from './shard-membership.ts';
import { startWatching } from './watch-trigger.ts';
import { createDiskGenerationStore } from '../artifact/disk-generation-store.ts';
import { DEFAULT_CACHE_MAX_BYTES } from '../config/read-config.ts';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import { createDashboardStore } from '../dashboard/dashboard-store.ts';
import { registerDashboard } from '../dashboard/register-dashboard.ts';
import { githubLinks, statusHistory } from '../dashboard/status-history.ts';

/** How the controller reaches Git: the source and status writer of controller/source, or a test's own. */
export interface SourceFactories {
  createGitSource(options: GitSourceOptions): GitSource;
  createStatusWriter(options: StatusWriterOptions): StatusWriter;
}

export interface StartOptions extends SourceFactories {
  /** Where log lines go: standard output unless a test captures them. */
  logDestination?: DestinationStream;
  /** The shortest time between two GitHub writes; GitHub asks for a second (the default), a stand-in needs none. */
  githubWriteIntervalMs?: number;
}

export interface RunningController {
  /** `http://host:port` the server listens on. */
  url: string;
  controller: Controller;
  logger: Logger;
  /**
   * Graceful shutdown: stops the triggers and taking work, lets the reconciles in flight finish
   * (an apply goes on action by action under its lease and releases it), then closes the server
   * and the Git source.
   */
  stop(): Promise<void>;
}

/**
 * Starts `intctl controller`: the Git source and status writer, the reconcile loop, the HTTP
 * server (listening), polling and the directory watch; then enqueues every environment once.
 */
export async function startController(config: ControllerConfig, options: StartOptions): Promise<RunningController> {
  const logger = createLogger({ level: config.logLevel, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  logger.info({ config: describeConfig(config) }, 'starting');
  const metrics = createMetrics({ processMetrics: true, version: intctlVersion() });
  const remote = {
    url: config.git.url,
    ...(config.git.auth ? { auth: config.git.auth } : {}),
    ...(config.git.ssh ? { ssh: config.git.ssh } : {}),
    timeoutMs: config.git.timeoutMs,
    env: config.git.env,
  };
  const source = options.createGitSource({ ...remote, branch: config.git.branch, dir: join(config.stateDir, 'git', 'source') });
  const statusWriter = options.createStatusWriter({
    ...remote,
    branch: config.statusBranch,
    dir: join(config.stateDir, 'git', 'status'),
    author: config.statusAuthor,
  });
  // Rebalancing needs the controller, which needs the membership: a late binding between the two.
  let rebalance = (): void => undefined;
  const membership = createShardMembership({
    shard: config.shard.index,
    shards: config.shard.count,
    peers: config.shard.peers,
    goneAfterMs: config.leaseTtlMs,
    probeIntervalMs: config.shard.probeIntervalMs,
    logger,
    onChange: () => rebalance(),
  });
  const github = config.github ? startGithub(config.github, logger, metrics.registry, options.githubWriteIntervalMs) : undefined;
  const notifier = startNotifier(config, logger, metrics.registry);
  // The dashboard reads the statuses of the controller it is fed by: another late binding.
  let statuses = (): EnvironmentStatus[] => [];
  const dashboard = createDashboardStore(() => statuses());
  const controller = createController({
    onReconciled: (report, extra) => dashboard.record(report, extra),
    source,
    statusWriter,
    ...(notifier ? { notifier } : {}),
    ...(github ? { github, branch: config.git.branch } : {}),
    openDriver: (environment) => openDriver(environment.manifest, config),
    ...(config.shard.count > 1 ? { owns: (key: string) => membership.owns(key) } : {}),
    holder: config.holder,
    leaseTtlMs: config.leaseTtlMs,
    logger,
    metrics,
    // Generations outlive a restart: content-addressed files in the state directory, bounded.
    generationStore: createDiskGenerationStore({ directory: join(config.stateDir, 'cache'), maxBytes: DEFAULT_CACHE_MAX_BYTES }),
    queue: {
      concurrency: config.queue.concurrency,
      backoff: { baseMs: config.queue.backoffBaseMs, maxMs: config.queue.backoffMaxMs, jitter: 0.2 },
      requeueWaitingMs: config.queue.requeueWaitingMs,
    },
  });
  rebalance = () => void controller.rebalance('shard membership changed');
  statuses = () => controller.statuses();
  metrics.observeShards({ owned: () => controller.owned().length, livePeers: () => membership.live().length - 1 });
  const enqueueAll = (reason: string) => controller.enqueueAll(reason);
  // One door for the whole API: /api/v1/status as the dashboard's reads.
  const apiAccess = { ...(config.api.token !== undefined ? { token: config.api.token } : {}), readAccess: config.api.readAccess };
  const server = await buildServer({
    logger,
    readiness: () => controller.readiness(),
    statuses: () => controller.statuses(),
    apiAccess,
    registry: metrics.registry,
    enqueueAll,
    enqueue: (names, reason) => controller.enqueue(names, reason),
    shard: () => ({ shard: membership.shard, shards: membership.shards, ready: controller.readiness().ready, live: membership.live() }),
    ...(config.webhook.githubSecret !== undefined
      ? {
          github: {
            secret: config.webhook.githubSecret,
            branch: config.git.branch,
            deliveries: createDeliveryCache(config.webhook.deliveryCacheSize),
            ...(config.shard.count > 1
              ? {
                  forward: createWebhookForwarder({
                    shard: config.shard.index,
                    peers: () => membership.live().filter((i) => i !== config.shard.index).map((i) => config.shard.peers[i]!),
                    logger,
                  }),
                }
              : {}),
            ...(github
              ? {
                  pullRequests: {
                    enqueue: (number: number, reason: string) => controller.enqueuePullRequest(number, reason),
                    reviewed: (number: number, merged: boolean, reason: string) => controller.reviewed(number, merged, reason),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(config.webhook.genericToken !== undefined ? { genericToken: config.webhook.genericToken } : {}),
  });
  await registerDashboard(server as never, {
    store: dashboard,
    access: apiAccess,
    openDriver: (environment) => openDriver(environment.manifest, config),
    history: statusHistory({ dir: join(config.stateDir, 'git', 'status'), ...(config.github ? { links: githubLinks(config.github) } : {}) }),
    enqueue: (name) => controller.enqueue([name], 'reconcile now (API)'),
    enqueueAll: () => controller.enqueueAll('reconcile now (API)'),
  });
  const triggers: Trigger[] = [];
  let url: string;
  try {
    url = await server.listen({ host: config.listen.host, port: config.listen.port });
    if (config.poll.schedule !== undefined) triggers.push(startPolling({ schedule: config.poll.schedule, jitterMs: config.poll.jitterMs, enqueueAll, logger }));
    if (config.watch) triggers.push(await startWatching({ ...config.watch, enqueueAll, logger }));
    membership.start();
    triggers.push(membership);
  } catch (error) {
    await Promise.all(triggers.map((t) => t.stop()));
    await controller.stop();
    notifier?.stop();
    await server.close();
    await source.close();
    throw error;
  }
  logger.info({ url }, 'listening');
  controller.enqueueAll('startup');

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    logger.info('shutting down: no new work; waiting for the reconciles in flight');
    // Shutdown awaits things that hold no reference on the event loop (a child process left
    // unreferenced while idle): keep the process alive until every step has finished.
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await Promise.all(triggers.map((t) => t.stop()));
      await controller.stop();
      // What the last reconciles found is still told, if the receivers answer soon.
      await notifier?.close(NOTIFICATIONS_GRACE_MS);
      await server.close();
      await source.close();
    } finally {
      clearInterval(keepAlive);
    }
    logger.info('stopped');
    logger.flush();
  };
  return {
    url,
    controller,
    logger,
    stop: () => (stopping ??= stop()),
  };
}

/** The configuration as logged at start: nothing secret in it, only whether each secret is set. */
export function describeConfig(config: ControllerConfig): Record<string, unknown> {
  return {
    git: {
      url: config.git.url,
      branch: config.git.branch,
      auth: config.git.auth ? 'token' : config.git.ssh ? 'ssh' : 'none',
      timeoutMs: config.git.timeoutMs,
    },
    poll: config.poll.schedule === undefined ? 'off' : config.poll,
    webhooks: { github: config.webhook.githubSecret !== undefined, generic: config.webhook.genericToken !== undefined },
    ...(config.watch ? { watch: config.watch } : {}),
    listen: config.listen,
    stateDir: config.stateDir,
    statusBranch: config.statusBranch,
    leaseTtlMs: config.leaseTtlMs,
    holder: config.holder,
    queue: config.queue,
    github: config.github
      ? { apiUrl: config.github.apiUrl, repository: `${config.github.owner}/${config.github.repo}`, auth: config.github.auth.kind, report: config.github.report }
      : 'off',
    shard: config.shard.count === 1 ? { index: 0, count: 1 } : config.shard,
    notifications: config.notifications.providers.map((p) => ({ name: p.name, type: p.kind, events: p.events, ...(p.environments ? { environments: p.environments } : {}) })),
    api: { token: config.api.token !== undefined, readAccess: config.api.readAccess },
  };
}

/** How long shutdown waits for the notifications still queued. */
const NOTIFICATIONS_GRACE_MS = 5000;

/** The notifier of the configured providers, retrying with the queue's backoff; none without providers. */
function startNotifier(config: ControllerConfig, logger: Logger, registry: Registry): Notifier | undefined {
  if (config.notifications.providers.length === 0) return undefined;
  const backoff = { baseMs: config.queue.backoffBaseMs, maxMs: config.queue.backoffMaxMs, jitter: 0.2 };
  return createNotifier({ config: config.notifications, logger, registry, retryDelay: (failures) => backoffDelay(failures, backoff, Math.random()) });
}

/** The GitHub client and reporter of the configuration. */
function startGithub(config: GithubConfig, logger: Logger, registry: Registry, writeIntervalMs: number | undefined): GithubDeps {
  const metrics = createGithubMetrics(registry);
  const client = createGithubClient({ config, logger, metrics, ...(writeIntervalMs === undefined ? {} : { writeIntervalMs }) });
  const appId = config.auth.kind === 'app' ? config.auth.appId : undefined;
  return { client, reporter: createGithubReporter({ client, kind: config.report, logger, metrics, ...(appId !== undefined ? { appId } : {}) }) };
}
