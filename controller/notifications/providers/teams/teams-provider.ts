import { clip, describeEvent } from '../../describe-event.ts';
import type { NotificationProvider } from '../../notification-provider.ts';

/** Teams refuses a message over about 28 KB; the message is cut well below. */
const TEXT_MAX = 8000;

/**
 * A Microsoft Teams incoming webhook, or a Workflows "when a Teams webhook request is received"
 * flow: a message with one Adaptive Card attachment
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook):
 * the title, the message and the facts as a FactSet.
 */
export const teamsProvider: NotificationProvider = {
  describe: 'Microsoft Teams webhook (Adaptive Card)',
  render(event) {
    const { title, text, facts } = describeEvent(event);
    const color = event.severity === 'error' ? 'Attention' : event.severity === 'warning' ? 'Warning' : 'Accent';
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', color, wrap: true },
        { type: 'TextBlock', text: clip(text, TEXT_MAX), wrap: true },
        { type: 'FactSet', facts: facts.map(([label, value]) => ({ title: label, value })) },
      ],
    };
    const message = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) };
  },
};
