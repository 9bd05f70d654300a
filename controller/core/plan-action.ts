import type { DependencyName } from './dependencies.ts';
import type { ConnectionRecord, PublishedIntegration } from './environment-state.ts';

export type PublishReason = 'New' | 'Changed' | 'ForcedByDependency' | 'Drifted';

/** One step of a plan. `id` is deterministic, so an environment can tell an action it already applied. */
export type PlanAction =
  | { id: string; type: 'UpdateDependency'; name: DependencyName; from?: string; to: string; reason: 'Pinned' }
  | { id: string; type: 'UpsertConnection'; connection: ConnectionRecord; reason: 'New' | 'Changed' | 'Drifted' }
  | { id: string; type: 'DeleteConnection'; name: string; reason: 'Pruned' }
  | {
      id: string;
      type: 'Publish';
      integration: PublishedIntegration;
      reason: PublishReason;
      /** For ForcedByDependency: the dependencies whose new versions leave the old artifact's ranges. */
      forcedBy?: DependencyName[];
      breaking: boolean;
    }
  | { id: string; type: 'Unpublish'; name: string; reason: 'Pruned' };
