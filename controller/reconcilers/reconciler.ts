import type { Requeue } from '../core/requeue.ts';

/** What a reconciler can be asked to look at. */
export type RequestKind = 'Environment' | 'PullRequest' | 'Source';

/**
 * A request names what to look at and carries nothing else, as controller-runtime's does: every
 * reconcile reads the current state again, so a missed or repeated trigger cannot leave it wrong.
 * `Source` has one name (`branch`): fetch the tracked branch and learn its environments.
 */
export interface ReconcileRequest {
  kind: RequestKind;
  name: string;
}

export interface ReconcileResult {
  requeue: Requeue;
}

/** One contract for every reconciler: `reconcile(request, ctx) → result`. */
export type Reconciler<Context> = (request: ReconcileRequest, ctx: Context) => Promise<ReconcileResult>;

const KINDS: readonly RequestKind[] = ['Environment', 'PullRequest', 'Source'];

/** The queue key of a request: `Environment/prod`, `PullRequest/42`, `Source/branch`. */
export function requestKey(request: ReconcileRequest): string {
  return `${request.kind}/${request.name}`;
}

/** The request a queue key names, or undefined for a key that is not one. */
export function requestOfKey(key: string): ReconcileRequest | undefined {
  const slash = key.indexOf('/');
  const kind = key.slice(0, slash) as RequestKind;
  if (slash < 0 || !KINDS.includes(kind) || slash === key.length - 1) return undefined;
  return { kind, name: key.slice(slash + 1) };
}
