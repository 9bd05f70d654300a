import { NOTIFICATION_EVENT_KINDS, type NotificationProviderConfig, type NotificationsConfig } from '../../../controller/config/notification-config.ts';
import type { NotificationEvent } from '../../../controller/notifications/notification-event.ts';

/** One event of each kind, for prod at one commit. */
export function sampleEvents(environment = 'prod'): NotificationEvent[] {
  return NOTIFICATION_EVENT_KINDS.map((kind, i) => ({
    id: `event-${environment}-${kind}`,
    kind,
    environment,
    severity: kind === 'Stalled' || kind === 'BreakingChangeRefused' ? 'error' : kind === 'Drifted' ? 'warning' : 'info',
    reason: kind === 'Stalled' ? 'ValidationFailed' : kind === 'Drifted' ? 'DriftDetected' : kind === 'AppliedToProtected' ? 'ReconciliationSucceeded' : kind,
    message: `${kind} in ${environment}: <sales-orders> & more`,
    commit: `${String(i).repeat(40)}`,
    at: '2026-12-02T12:00:00.000Z',
    ...(kind === 'AppliedToProtected' ? { actions: ['publish sales-orders (Changed)'] } : {}),
  }));
}

/** A notifications configuration of the providers given, with the defaults' limits unless told. */
export function notificationsConfig(providers: NotificationProviderConfig[], over: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return { providers, dedupeWindowMs: 600_000, ratePerMinute: 100, maxAttempts: 3, timeoutMs: 10_000, ...over };
}

export const ALL_EVENTS = NOTIFICATION_EVENT_KINDS;
