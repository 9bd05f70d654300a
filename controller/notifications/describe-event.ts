import type { NotificationEvent } from './notification-event.ts';

const TITLES: Record<NotificationEvent['kind'], string> = {
  Stalled: 'stalled: needs a person',
  AwaitingApproval: 'awaiting approval',
  Drifted: 'drifted from Git',
  AppliedToProtected: 'applied',
  BreakingChangeRefused: 'breaking change refused',
};

/** The words every chat provider shows: a title, the message, and facts as label and value. */
export function describeEvent(event: NotificationEvent): { title: string; text: string; facts: Array<[string, string]> } {
  const facts: Array<[string, string]> = [
    ['Environment', event.environment],
    ['Event', event.kind],
    ['Reason', event.reason],
  ];
  if (event.commit) facts.push(['Commit', event.commit.slice(0, 12)]);
  facts.push(['At', event.at]);
  const actions = event.actions && event.actions.length > 0 ? `\n${event.actions.map((a) => `• ${a}`).join('\n')}` : '';
  return { title: `intctl: ${event.environment} ${TITLES[event.kind]}`, text: `${event.message}${actions}`, facts };
}

/** Text cut to a receiver's limit, with an ellipsis that says so. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
