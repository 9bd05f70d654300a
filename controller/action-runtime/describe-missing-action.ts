import { closestName } from '../core/edit-distance.ts';

/** How many of an integration's actions a message lists before it only counts the rest. */
const LISTED = 8;

/**
 * Why an action cannot be found, in the words `intctl validate` uses for a misspelt name: the
 * closest action when one is a likely typo, else the integration's actions (at most eight, and
 * how many more).
 */
export function describeMissingAction(integration: string, action: string, actions: readonly string[]): string {
  const missing = `action ${action} is not in integration ${integration}`;
  if (actions.length === 0) return `${missing}; it has no actions`;
  const best = closestName(action, actions);
  if (best !== undefined) return `${missing}; did you mean ${best}?`;
  const sorted = [...actions].sort();
  const more = sorted.length - LISTED;
  return `${missing} (its actions: ${sorted.slice(0, LISTED).join(', ')}${more > 0 ? `, and ${more} more` : ''})`;
}
