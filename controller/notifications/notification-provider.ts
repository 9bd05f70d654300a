import type { NotificationProviderConfig } from '../config/notification-config.ts';
import type { NotificationEvent } from './notification-event.ts';

/** One request to a provider's receiver: always a POST of JSON. */
export interface NotificationRequest {
  headers: Record<string, string>;
  body: string;
}

/**
 * A notification provider: a folder in providers/ and one line in registry.ts. It only renders
 * the request its receiver accepts; the notifier delivers it, retries it and limits the rate.
 */
export interface NotificationProvider {
  /** What the receiver is, for documentation and logs. */
  describe: string;
  render(event: NotificationEvent, provider: Pick<NotificationProviderConfig, 'name' | 'secret'>): NotificationRequest;
}
