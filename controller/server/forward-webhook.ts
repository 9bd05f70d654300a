import type { Logger } from '../observability/logger.ts';

/** A GitHub delivery as it was received: its bytes and the headers its signature and replay checks need. */
export interface ReceivedDelivery {
  event: string;
  delivery: string;
  signature: string;
  body: Buffer;
}

/** Set on a delivery one replica passes to the others: they act on it, and pass it on to nobody. */
export const FORWARDED_HEADER = 'x-intctl-forwarded-from';

export interface ForwarderOptions {
  /** This replica's shard, named in the forwarded header. */
  shard: number;
  /** The base URLs of the other replicas counted as live now. */
  peers: () => string[];
  logger: Logger;
  fetch?: typeof fetch;
  /** Longest one peer may take to answer; 5 s when left out. */
  timeoutMs?: number;
}

/**
 * With shards, a webhook reaches one replica (a Service balances them), which enqueues only the
 * environments it owns. The forwarder passes the delivery on to every other live replica exactly
 * as GitHub sent it, bytes and signature unchanged: each checks the signature and the delivery id
 * itself, and enqueues its own share. Nothing is trusted for being forwarded. Fire and forget: a
 * peer that does not answer is logged, and its next poll catches up.
 */
export function createWebhookForwarder(options: ForwarderOptions): (delivery: ReceivedDelivery) => void {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.logger.child({ component: 'shards' });
  return (delivery) => {
    for (const peer of options.peers()) {
      const url = `${peer}/webhooks/github`;
      void doFetch(url, {
        method: 'POST',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'x-github-event': delivery.event,
          'x-github-delivery': delivery.delivery,
          'x-hub-signature-256': delivery.signature,
          [FORWARDED_HEADER]: String(options.shard),
        },
        body: delivery.body,
      }).then(
        (response) => {
          if (response.status >= 300) log.warn({ peer: url, status: response.status, delivery: delivery.delivery }, 'a peer refused a forwarded webhook');
          else log.debug({ peer: url, delivery: delivery.delivery }, 'webhook forwarded');
        },
        (error: unknown) => log.warn({ peer: url, delivery: delivery.delivery, err: error }, 'cannot forward the webhook to a peer; its next poll catches up'),
      );
    }
  };
}
