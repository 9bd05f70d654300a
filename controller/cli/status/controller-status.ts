import type { ControllerClient, ServedOverview, ServedStatus } from '../controller-client.ts';
import { promotionOrder, type EnvironmentView, type StatusView } from './status-view.ts';

/**
 * The status of every environment as a running controller reports it: each one's status from
 * GET /api/v1/status, and from GET /api/v1/overview the tracked branch's head and what each
 * promotes from, in promotion order. A controller without the overview gives its statuses alone,
 * in its own order.
 */
export async function controllerStatus(client: ControllerClient, url: string): Promise<StatusView> {
  // Both at once; a failure of the statuses is the one told, whichever answered first.
  const [statuses, overviewRead] = await Promise.allSettled([client.statuses(), client.overview()]);
  if (statuses.status === 'rejected') throw statuses.reason;
  if (overviewRead.status === 'rejected') throw overviewRead.reason;
  const served = statuses.value;
  const overview = overviewRead.value;
  const upstream = upstreamsOf(overview);
  const ordered = promotionOrder(served, (s) => s.name, (s) => upstream.get(s.name));
  const head = overview?.head;
  return { source: 'controller', from: url, ...(head !== undefined ? { head } : {}), environments: ordered.map((s) => viewOf(s, upstream.get(s.name))) };
}

/** What each environment promotes from, as the overview says. */
function upstreamsOf(overview: ServedOverview | undefined): Map<string, string> {
  const upstream = new Map<string, string>();
  for (const e of overview?.environments ?? []) if (typeof e.promotesFrom === 'string') upstream.set(e.name, e.promotesFrom);
  return upstream;
}

function viewOf(status: ServedStatus, promotesFrom: string | undefined): EnvironmentView {
  return {
    name: status.name,
    ...(promotesFrom !== undefined ? { promotesFrom } : {}),
    suspended: status.outcome === 'Suspended',
    conditions: status.conditions,
    outcome: status.outcome,
    ...(status.observedCommit !== undefined ? { observedCommit: status.observedCommit } : {}),
    lastReconcileTime: status.lastReconcileTime,
    ...(status.lastSuccessfulReconcileTime !== undefined ? { lastSuccessfulReconcileTime: status.lastSuccessfulReconcileTime } : {}),
    ...(status.lastApplied !== undefined ? { lastApplied: status.lastApplied } : {}),
  };
}
