import { ownerOf } from '../core/shard-ring.ts';
import type { Logger } from '../observability/logger.ts';
import { realTimers, type QueueTimers } from './work-queue.ts';

export interface MembershipOptions {
  /** This replica's shard. */
  shard: number;
  shards: number;
  /** Every replica's base URL, by shard; this replica's own is never asked. */
  peers: readonly string[];
  /** A peer that has not answered ready for this long counts as gone: the environment lease's TTL. */
  goneAfterMs: number;
  probeIntervalMs: number;
  logger: Logger;
  /** Called after the live shards changed, with the new ones: the controller enqueues what it now owns. */
  onChange?: (live: number[]) => void;
  fetch?: typeof fetch;
  /** Milliseconds, for when a peer was last seen. */
  now?: () => number;
  timers?: QueueTimers;
}

export interface ShardMembership {
  readonly shard: number;
  readonly shards: number;
  /** The shards counted as live, ascending; this replica's own is always among them. */
  live(): number[];
  /** Whether this replica owns the key among the live shards (rendezvous hashing). */
  owns(key: string): boolean;
  /** Asks every peer once, and counts who is gone; what the timer runs every probe interval. */
  probe(): Promise<void>;
  /** Probes every probe interval until stopped. Nothing to do with a single shard. */
  start(): void;
  /** Stops probing and waits for the probes in flight. */
  stop(): Promise<void>;
}

interface ShardAnswer {
  shard?: unknown;
  shards?: unknown;
  ready?: unknown;
}

/**
 * Who among the replicas is live, by asking each peer `GET /api/v1/shard`. A peer counts as live
 * from the start (so that replicas starting together do not all take everything while they wait
 * for each other's first answer) and after every ready answer; it counts as gone once it has not
 * answered ready for `goneAfterMs`, the lease TTL: by then a lease the dead replica held has
 * expired too, and its environments can be taken over. Two replicas that briefly disagree on who is
 * live may both reconcile an environment: its lease and fencing token make that harmless.
 */
export function createShardMembership(options: MembershipOptions): ShardMembership {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? realTimers;
  const doFetch = options.fetch ?? fetch;
  const log = options.logger.child({ component: 'shards' });
  const started = now();
  const lastSeen = new Map<number, number>();
  const others: number[] = [];
  for (let i = 0; i < options.shards; i++) {
    if (i === options.shard) continue;
    others.push(i);
    lastSeen.set(i, started);
  }
  const inFlight = new Map<number, Promise<void>>();
  const warned = new Set<string>();
  const timeoutMs = Math.max(500, Math.min(options.goneAfterMs / 2, Math.max(options.probeIntervalMs, 1000)));
  let current = all();
  let timer: unknown;
  let running = false;
  let stopped = false;

  function all(): number[] {
    return Array.from({ length: options.shards }, (_, i) => i);
  }

  const warnOnce = (key: string, fields: Record<string, unknown>, message: string): void => {
    if (warned.has(key)) return;
    warned.add(key);
    log.warn(fields, message);
  };

  const ask = async (peer: number): Promise<void> => {
    const url = `${options.peers[peer]}/api/v1/shard`;
    let answer: ShardAnswer;
    try {
      const response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      answer = (await response.json()) as ShardAnswer;
    } catch (error) {
      log.debug({ peer, url, err: error }, 'peer did not answer');
      return;
    }
    if (answer.shard !== peer) {
      warnOnce(`shard:${peer}`, { peer, url, answered: answer.shard }, 'the peer answers as another shard; check the peer URLs: not counted as live');
      return;
    }
    if (answer.shards !== options.shards) {
      // A rollout that changes the count: each side plans with its own, the leases keep it safe.
      warnOnce(`shards:${peer}:${String(answer.shards)}`, { peer, shards: options.shards, peerShards: answer.shards }, 'the peer believes in another number of shards');
    }
    if (answer.ready === true) lastSeen.set(peer, now());
  };

  /** Counts who is live now; tells onChange when that changed. */
  const evaluate = (): void => {
    const at = now();
    const live = all().filter((i) => i === options.shard || at - (lastSeen.get(i) ?? started) < options.goneAfterMs);
    if (live.join() === current.join()) return;
    const gone = current.filter((i) => !live.includes(i));
    const back = live.filter((i) => !current.includes(i));
    current = live;
    log.info({ live, gone, back }, 'shard membership changed');
    options.onChange?.(live);
  };

  const probe = async (): Promise<void> => {
    await Promise.all(
      others.map((peer) => {
        // A peer slower than the interval is not asked twice at once.
        let pending = inFlight.get(peer);
        if (!pending) {
          pending = ask(peer).finally(() => inFlight.delete(peer));
          inFlight.set(peer, pending);
        }
        return pending;
      }),
    );
    evaluate();
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    void probe().finally(() => {
      if (!stopped) timer = timers.setTimeout(tick, options.probeIntervalMs);
    });
  };

  return {
    shard: options.shard,
    shards: options.shards,
    live: () => [...current],
    owns: (key) => ownerOf(key, current) === options.shard,
    probe,
    start() {
      if (others.length === 0 || stopped || running) return;
      running = true;
      log.info({ shard: options.shard, shards: options.shards, peers: others.map((i) => options.peers[i]), goneAfterMs: options.goneAfterMs }, 'probing shard peers');
      tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await Promise.all(inFlight.values());
    },
  };
}
