/**
 * What started a reconcile: the kind of trigger that enqueued it, and what it said.
 * - `startup`: the controller started;
 * - `webhook`: a GitHub push or review, or the generic webhook;
 * - `callback`: an environment's own callback (drift seen by the environment server);
 * - `poll`: the polling schedule; `watch`: the file watcher;
 * - `api`: "reconcile now" from the dashboard or its API;
 * - `promotion`: the environment it promotes from became Ready after an apply;
 * - `rebalance`: the shards changed and this replica took the environment over;
 * - `other`: a reason none of these names.
 */
export type TriggerKind = 'startup' | 'webhook' | 'callback' | 'poll' | 'watch' | 'api' | 'promotion' | 'rebalance' | 'other';

export interface ReconcileTrigger {
  kind: TriggerKind;
  /** The reason the trigger gave when it enqueued (`push 3dda98b…`, `promotion from test`); none when it says no more than the kind. */
  detail?: string;
}

/** The reason the environment server's drift callback gives, through the generic webhook. */
export const CALLBACK_REASON = 'environment callback';

/** The header, and its value, by which a call of the generic webhook says it is an environment's callback. */
export const CALLBACK_HEADER = { name: 'x-intctl-trigger', value: 'callback' } as const;

const EXACT: Record<string, TriggerKind> = {
  startup: 'startup',
  push: 'webhook',
  poll: 'poll',
  watch: 'watch',
  'generic webhook': 'webhook',
  [CALLBACK_REASON]: 'callback',
  'reconcile now (API)': 'api',
  'shard membership changed': 'rebalance',
};

const PREFIXES: ReadonlyArray<readonly [string, TriggerKind]> = [
  ['push ', 'webhook'],
  ['pull_request_review ', 'webhook'],
  ['promotion from ', 'promotion'],
];

/**
 * The trigger of an enqueue, from the reason its trigger gave (every trigger passes a reason of
 * its own: `poll`, `watch`, `generic webhook`, `push <sha>`, ...). A reason no trigger gives is
 * `other`, with the reason as its detail, never an error: the reason is for people.
 */
export function triggerOfReason(reason: string): ReconcileTrigger {
  if (Object.hasOwn(EXACT, reason)) {
    const kind = EXACT[reason]!;
    return kind === reason ? { kind } : { kind, detail: reason };
  }
  for (const [prefix, kind] of PREFIXES) if (reason.startsWith(prefix)) return { kind, detail: reason };
  return { kind: 'other', detail: reason };
}
