import type { Condition } from '../../generated/manifests.ts';

/**
 * What `intctl status` shows, as -o json and -o yaml print it: every environment in promotion
 * order, from the repository and its environments' stores, or from a running controller.
 */
export interface StatusView {
  /** `repository`: planned here from the manifests and the stores; `controller`: as a running controller reports it. */
  source: 'repository' | 'controller';
  /** The repository directory, or the controller's URL. */
  from: string;
  /** The commit of the manifests read, or the newest commit of the tracked branch the controller looked at: what every environment should be at. */
  head?: string;
  environments: EnvironmentView[];
}

export interface EnvironmentView {
  name: string;
  /** The environment it promotes from: it applies a commit once that one is Ready at it. */
  promotesFrom?: string;
  /** spec.suspend: the controller leaves it alone. */
  suspended: boolean;
  conditions: Condition[];
  /** How the last reconcile ended (controller), or what the controller would do now (repository). */
  outcome: string;
  /** The commit the environment is at: its last applied commit (repository), or the commit the controller last observed. */
  observedCommit?: string;
  /** What applying would do now (repository only). */
  pending?: { actions: number; breaking: number; destructive: number };
  /** Whether the gate lets the pending actions through, and why not (repository only). */
  gate?: { allowed: boolean; reason: string; message?: string };
  /** When the controller last reconciled it, and last found it Ready (controller only). */
  lastReconcileTime?: string;
  lastSuccessfulReconcileTime?: string;
  lastApplied?: { commit: string; at: string; actions: string[] };
}

/**
 * Names in promotion order: each after the one it promotes from, otherwise in the order given
 * (a cycle or a missing upstream, which validation reports, keeps the given order).
 */
export function promotionOrder<T>(items: readonly T[], name: (item: T) => string, from: (item: T) => string | undefined): T[] {
  const byName = new Map(items.map((item) => [name(item), item]));
  const placed = new Set<string>();
  const out: T[] = [];
  const place = (item: T, path: Set<string>): void => {
    const own = name(item);
    if (placed.has(own) || path.has(own)) return;
    path.add(own);
    const upstream = from(item);
    const parent = upstream === undefined ? undefined : byName.get(upstream);
    if (parent !== undefined) place(parent, path);
    placed.add(own);
    out.push(item);
  };
  for (const item of items) place(item, new Set());
  return out;
}
