import type { ControllerClient, ServedStatus } from '../controller-client.ts';
import { promotionOrder, type EnvironmentView, type StatusView } from './status-view.ts';

/**
 * The status of every environment as a running controller reports it (GET /api/v1/status), in
 * promotion order where the controller says what each promotes from, else in its own order.
 */
export async function controllerStatus(client: ControllerClient, url: string): Promise<StatusView> {
  const served = await client.statuses();
  const ordered = promotionOrder(served, (s) => s.name, upstreamOf);
  return { source: 'controller', from: url, environments: ordered.map(viewOf) };
}

function upstreamOf(status: ServedStatus): string | undefined {
  const from = (status as { promotesFrom?: unknown }).promotesFrom;
  return typeof from === 'string' ? from : undefined;
}

function viewOf(status: ServedStatus): EnvironmentView {
  const promotesFrom = upstreamOf(status);
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
