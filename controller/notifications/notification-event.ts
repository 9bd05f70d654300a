import type { NotificationEventKind } from '../config/notification-config.ts';

/**
 * What a provider is told: one transition of an environment's status. Nothing secret: the reason
 * and message are the conditions', which never hold a secret in the clear.
 */
export interface NotificationEvent {
  /** Stable for the same news: provider-independent, so a receiver can de-duplicate too. */
  id: string;
  kind: NotificationEventKind;
  environment: string;
  severity: 'info' | 'warning' | 'error';
  /** The condition's reason (BreakingChangeRefused, ValidationFailed, DriftDetected, ...). */
  reason: string;
  message: string;
  /** The commit the environment observed. */
  commit?: string;
  /** ISO 8601: when the reconcile that found it ended. */
  at: string;
  /** For AppliedToProtected: the actions applied, as `type target (reason)` lines. */
  actions?: string[];
}
