import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The controller's Prometheus metrics, in a registry of their own (so tests can build many). */
export interface ControllerMetrics {
  registry: Registry;
  /** intctl_reconcile_duration_seconds{environment, outcome}. */
  reconcileDuration: Histogram<'environment' | 'outcome'>;
  /** intctl_last_successful_reconcile_timestamp_seconds{environment}: when it was last Ready after a reconcile. */
  lastSuccess: Gauge<'environment'>;
  /** intctl_reconcile_errors_total{reason}: reconciles that did not end Ready (nor waiting), by reason. */
  errors: Counter<'reason'>;
  /** intctl_git_fetch_duration_seconds{result}. */
  gitFetchDuration: Histogram<'result'>;
  /** Sets what intctl_queue_depth reports when scraped. */
  observeQueueDepth(depth: () => number): void;
  /** Sets what intctl_shard_owned_environments and intctl_shard_live_peers report when scraped. */
  observeShards(shards: { owned: () => number; livePeers: () => number }): void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop): on in the controller, off in tests. */
  processMetrics?: boolean;
}

/**
 * The metrics the controller records, registered in a new registry: reconcile duration by
 * environment and outcome, errors by reason, the last successful reconcile per environment, Git
 * fetch duration, and the queue depth (read when scraped).
 */
export function createMetrics(options: MetricsOptions = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'intctl_' });
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
  return {
    registry,
    reconcileDuration: new Histogram({
      name: 'intctl_reconcile_duration_seconds',
      help: 'How long one reconcile of an environment took, by how it ended.',
      labelNames: ['environment', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'intctl_last_successful_reconcile_timestamp_seconds',
      help: 'When a reconcile of the environment last ended Ready (Unix time).',
      labelNames: ['environment'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'intctl_reconcile_errors_total',
      help: 'Reconciles that ended in an error, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    gitFetchDuration: new Histogram({
      name: 'intctl_git_fetch_duration_seconds',
      help: 'How long a fetch of the tracked branch took, by result.',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    observeQueueDepth(source) {
      depth = source;
    },
    observeShards(source) {
      shards = source;
    },
  };
}
