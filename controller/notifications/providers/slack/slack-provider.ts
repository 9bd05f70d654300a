import type { KnownBlock } from '@slack/types';
import { clip, describeEvent } from '../../describe-event.ts';
import type { NotificationEvent } from '../../notification-event.ts';
import type { NotificationProvider } from '../../notification-provider.ts';

/** Slack's limits on Block Kit text (https://api.slack.com/reference/block-kit/blocks). */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

/**
 * A Slack incoming webhook (https://api.slack.com/messaging/webhooks): `text` for the
 * notification and clients without blocks, and `blocks` (a header, the message as a mrkdwn
 * section, the facts as section fields) within Block Kit's limits.
 */
export const slackProvider: NotificationProvider = {
  describe: 'Slack incoming webhook',
  render(event) {
    const { title, text, facts } = describeEvent(event);
    // Typed with Slack's own Block Kit types (@slack/types): a block Slack does not know fails to compile.
    const blocks: KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: clip(`${icon(event)} ${title}`, HEADER_MAX), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(escape(text) || ' ', SECTION_MAX) } },
      { type: 'section', fields: facts.map(([label, value]) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${escape(value)}`, FIELD_MAX) })) },
    ];
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: clip(`${title}: ${event.message}`, SECTION_MAX), blocks }) };
  },
};

/** Slack's mrkdwn reads &, < and > as control characters: they are escaped as its docs say. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function icon(event: NotificationEvent): string {
  return event.severity === 'error' ? '🔴' : event.severity === 'warning' ? '🟠' : '🔵';
}
