import type { PlanAction } from './plan-action.ts';

/** A plan action in words: every renderer (CLI table, check run, status commit, log, error) starts from this. */
export interface ActionDescription {
  type: PlanAction['type'];
  /** `publish`, `unpublish`, `upsert connection`, `delete connection`, `update dependency`. */
  verb: string;
  /** The integration, connection or dependency the action is about. */
  target: string;
  /** The reason in words: `new`, `changed`, `drifted`, `pruned`, `pinned`, `forced by integration-utils`. */
  why: string;
  /** For a dependency update: the version installed (none: not installed) and the one it moves to. */
  versions?: { from?: string; to: string };
  breaking: boolean;
  /** It removes something from the environment. */
  destructive: boolean;
  forced: boolean;
  drifted: boolean;
}

const VERBS: Record<PlanAction['type'], string> = {
  UpdateDependency: 'update dependency',
  UpsertConnection: 'upsert connection',
  DeleteConnection: 'delete connection',
  Publish: 'publish',
  Unpublish: 'unpublish',
};

/** The name an action is about; safe for logs, since it carries nothing of the action's contents. */
export function actionTarget(action: PlanAction): string {
  switch (action.type) {
    case 'Publish':
      return action.integration.name;
    case 'UpsertConnection':
      return action.connection.name;
    default:
      return action.name;
  }
}

/** What an action does, to what, and why. Pure. */
export function describeAction(action: PlanAction): ActionDescription {
  const forced = action.type === 'Publish' && action.reason === 'ForcedByDependency';
  return {
    type: action.type,
    verb: VERBS[action.type],
    target: actionTarget(action),
    why: forced ? `forced by ${action.forcedBy?.join(', ')}` : words(action.reason),
    ...(action.type === 'UpdateDependency' ? { versions: { ...(action.from ? { from: action.from } : {}), to: action.to } } : {}),
    breaking: action.type === 'Publish' && action.breaking,
    destructive: action.type === 'Unpublish' || action.type === 'DeleteConnection',
    forced,
    drifted: action.reason === 'Drifted',
  };
}

/** `publish crm`, `update integration-utils to 3.0.0`: the action as the subject of a sentence. */
export function actionSentence(action: PlanAction): string {
  const { verb, target, versions } = describeAction(action);
  if (versions) return `update ${target} to ${versions.to}`;
  return `${verb} ${target}`;
}

function words(reason: string): string {
  return reason.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
