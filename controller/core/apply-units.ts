import type { PlanAction } from './plan-action.ts';

/**
 * The plan's actions grouped as an environment applies them: each action on its own, except the
 * dependency updates and the republishes they force (Publish, ForcedByDependency), which are one
 * unit, applied all or none where the first update stands. An update that went in while a
 * republish it forces failed would leave an artifact published outside the range of the
 * dependency installed under it; as one unit, a failure anywhere in it leaves both as they were.
 * The order inside the unit is the plan's (updates first). Pure.
 */
export function applyUnits(actions: readonly PlanAction[]): PlanAction[][] {
  const together = actions.filter(belongsToUpdate);
  if (!together.some((action) => action.type === 'UpdateDependency')) return actions.map((action) => [action]);
  const units: PlanAction[][] = [];
  let placed = false;
  for (const action of actions) {
    if (!belongsToUpdate(action)) {
      units.push([action]);
      continue;
    }
    if (placed) continue;
    units.push(together);
    placed = true;
  }
  return units;
}

function belongsToUpdate(action: PlanAction): boolean {
  return action.type === 'UpdateDependency' || (action.type === 'Publish' && action.reason === 'ForcedByDependency');
}
