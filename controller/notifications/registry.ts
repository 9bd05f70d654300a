/**
 * The notification providers, one per kind. Adding one is adding its folder, its kind in
 * config/notification-config.ts and one line here; the contract test delivers through each.
 */
import type { NotificationProviderKind } from '../config/notification-config.ts';
import type { NotificationProvider } from './notification-provider.ts';
import { slackProvider } from './providers/slack/slack-provider.ts';
import { teamsProvider } from './providers/teams/teams-provider.ts';
import { webhookProvider } from './providers/webhook/webhook-provider.ts';

export const NOTIFICATION_PROVIDERS: Readonly<Record<NotificationProviderKind, NotificationProvider>> = {
  slack: slackProvider,
  teams: teamsProvider,
  webhook: webhookProvider,
};
