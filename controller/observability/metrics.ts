import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Condition } from '../generated/manifests.ts';

/** What the per-environment series are read from when scraped: every environment this replica owns. */
export interface EnvironmentSeries {
  environment: string;
  /** None before its first reconcile: every condition then reads Unknown. */
  conditions?: readonly Condition[];
  /** ISO 8601; none: never Ready since the controller started (reported as 0). */
  lastSuccessfulReconcileTime?: string;
}

/** The controller's Prometheus metrics, in a registry of their own (so tests can build many). */
export interface ControllerMetrics {
  registry: Registry;
  /** intctl_reconcile_duration_seconds{environment, outcome}. */
  reconcileDuration: Histogram<'environment' | 'outcome'>;
  /** intctl_reconcile_errors_total{reason}: reconciles that did not end Ready (nor waiting), by reason. */
  errors: Counter<'reason'>;
  /** intctl_git_fetch_duration_seconds{result}. */
  gitFetchDuration: Histogram<'result'>;
  /** Sets what intctl_queue_depth reports when scraped. */
  observeQueueDepth(depth: () => number): void;
  /** Sets what intctl_shard_owned_environments and intctl_shard_live_peers report when scraped. */
  observeShards(shards: { owned: () => number; livePeers: () => number }): void;
  /**
   * Sets what intctl_environment_condition and intctl_last_successful_reconcile_timestamp_seconds
   * report when scraped: read from the controller's statuses, so a forgotten environment's series
   * go with it and a known one has its series before its first reconcile.
   */
  observeEnvironments(environments: () => readonly EnvironmentSeries[]): void;
}

export interface MetricsOptions {
  /** prom-client's default metrics (process_*, nodejs_*): on in the controller, off in tests. */
  processMetrics?: boolean;
  /** intctl's version, for intctl_build_info; default "unknown". */
  version?: string;
}

/** The condition types of an environment, each reported with the three statuses (Flux's gotk_reconcile_condition). */
export const CONDITION_TYPES: readonly Condition['type'][] = ['Ready', 'Reconciling', 'Stalled', 'AwaitingApproval', 'Drifted', 'CertificatesExpiring'];
const CONDITION_STATUSES: readonly Condition['status'][] = ['True', 'False', 'Unknown'];

/**
 * The reasons intctl_reconcile_errors_total is initialised with at zero, so `rate()` and
 * `increase()` see the first error (a series that appears at 1 has no increase).
 */
export const ERROR_REASONS: readonly string[] = [
  'ValidationFailed',
  'GenerationFailed',
  'GitFetchFailed',
  'BreakingChangeRefused',
  'PruneRefused',
  'LeaseHeld',
  'EnvironmentUnavailable',
  'InternalError',
];

/**
 * The metrics the controller records, registered in a new registry: reconcile duration by
 * environment and outcome, errors by reason (from zero), the last successful reconcile and the
 * conditions of every environment (read when scraped), Git fetch duration, the queue depth, the
 * build, and with `processMetrics` prom-client's default process_* and nodejs_* series under
 * their standard names, so stock Node.js dashboards work.
 */
export function createMetrics(options: MetricsOptions = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'intctl_build_info',
    help: 'Always 1: the version of intctl and of Node.js that run, as labels.',
    labelNames: ['version', 'nodejs_version'],
    registers: [registry],
  }).set({ version: options.version ?? 'unknown', nodejs_version: process.versions.node }, 1);
  let depth = (): number => 0;
  new Gauge({
    name: 'intctl_queue_depth',
    help: 'Environments waiting in the work queue to be reconciled.',
    registers: [registry],
    collect() {
      this.set(depth());
    },
  });
  let shards = { owned: (): number => 0, livePeers: (): number => 0 };
  new Gauge({
    name: 'intctl_shard_owned_environments',
    help: 'Environments this replica owns among the live shards, and reconciles.',
    registers: [registry],
    collect() {
      this.set(shards.owned());
    },
  });
  new Gauge({
    name: 'intctl_shard_live_peers',
    help: 'Other replicas this one counts as live (they answered within the lease TTL).',
    registers: [registry],
    collect() {
      this.set(shards.livePeers());
    },
  });
  let environments = (): readonly EnvironmentSeries[] => [];
  new Gauge({
    name: 'intctl_environment_condition',
    help: 'The status of each condition of an environment: 1 for the status it has, 0 for the others (absent conditions are False; all Unknown before the first reconcile).',
    labelNames: ['environment', 'type', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { environment, conditions } of environments()) {
        for (const type of CONDITION_TYPES) {
          const status = conditions === undefined ? 'Unknown' : conditions.find((c) => c.type === type)?.status ?? 'False';
          for (const candidate of CONDITION_STATUSES) this.set({ environment, type, status: candidate }, candidate === status ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'intctl_last_successful_reconcile_timestamp_seconds',
    help: 'When a reconcile of the environment last ended Ready (Unix time); 0 when none has since the controller started.',
    labelNames: ['environment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { environment, lastSuccessfulReconcileTime: at } of environments()) this.set({ environment }, at === undefined ? 0 : Date.parse(at) / 1000);
    },
  });
  const errors = new Counter({
    name: 'intctl_reconcile_errors_total',
    help: 'Reconciles that ended in an error, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of ERROR_REASONS) errors.inc({ reason }, 0);
  const gitFetchDuration = new Histogram({
    name: 'intctl_git_fetch_duration_seconds',
    help: 'How long a fetch of the tracked branch took, by result.',
    labelNames: ['result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  for (const result of ['success', 'failure']) gitFetchDuration.zero({ result });
  return {
    registry,
    reconcileDuration: new Histogram({
      name: 'intctl_reconcile_duration_seconds',
      help: 'How long one reconcile of an environment took, by how it ended.',
      labelNames: ['environment', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    errors,
    gitFetchDuration,
    observeQueueDepth(source) {
      depth = source;
    },
    observeShards(source) {
      shards = source;
    },
    observeEnvironments(source) {
      environments = source;
    },
  };
}
