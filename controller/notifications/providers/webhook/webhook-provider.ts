import { createHmac } from 'node:crypto';
import type { NotificationProvider } from '../../notification-provider.ts';

/** The header that carries the body's HMAC-SHA256, as `sha256=<hex>` (GitHub's X-Hub-Signature-256 shape). */
export const SIGNATURE_HEADER = 'x-intctl-signature';

/**
 * A generic JSON webhook: the event as it is, signed. The receiver computes the HMAC-SHA256 of
 * the raw body with the shared secret and compares it, in constant time, with
 * `X-Intctl-Signature: sha256=<hex>`; `X-Intctl-Event` and `X-Intctl-Delivery` let it route and
 * de-duplicate without parsing.
 */
export const webhookProvider: NotificationProvider = {
  describe: 'JSON webhook signed with HMAC-SHA256',
  render(event, provider) {
    if (provider.secret === undefined) throw new Error(`notification provider ${provider.name}: a webhook needs its secret`);
    const body = JSON.stringify({ apiVersion: 'intctl.dev/v1alpha1', kind: 'NotificationEvent', event });
    return {
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: `sha256=${signature(provider.secret, body)}`,
        'x-intctl-event': event.kind,
        'x-intctl-delivery': event.id,
      },
      body,
    };
  },
};

/** The hex HMAC-SHA256 of a body with the secret: what a receiver compares the header with. */
export function signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}
