/**
 * What the controller does with GitHub, kept apart from the reconcile loop: the approvals an
 * environment's gate counts, the apply result reported on the tracked branch's commit, and the
 * plans of pull requests (PullRequest requests).
 */
import type { Environment } from '../generated/manifests.ts';
import type { ArtifactCache } from '../artifact/build-artifact.ts';
import { environmentPolicy } from '../core/environment-policy.ts';
import type { LoadedObject } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import type { ReconcileReport } from '../reconcilers/environment/reconcile-environment.ts';
import type { Logger } from '../observability/logger.ts';
import type { Requeue } from '../core/requeue.ts';
import type { TrackedSource } from '../source/tracked-source.ts';
import { countApprovals, pullRequestOfCommit, reviewsOf } from '../reporting/github/approvals.ts';
import type { ApprovalSummary, EnvironmentCheck } from '../reporting/github/check-report.ts';
import type { GithubClient } from '../reporting/github/github-client.ts';
import type { GithubReporter } from '../reporting/github/github-reporter.ts';
import { reconcilePullRequest } from '../reconcilers/pull-request/reconcile-pull-request.ts';
import type { ReconcileRequest } from '../reconcilers/reconciler.ts';

/** What the controller is given to work with GitHub. */
export interface GithubDeps {
  client: GithubClient;
  reporter: GithubReporter;
  /** A page about the controller's state, linked from every check (its status endpoint). */
  detailsUrl?: string;
}

export interface ControllerGithub {
  /**
   * The approvals of the pull request a tracked commit came from, for an environment whose policy
   * requires any (none asked otherwise, to spend no API requests). A commit pushed directly has
   * none. When GitHub cannot be read, none count (the gate waits) and the reason is logged.
   */
  approvals(environment: LoadedObject<Environment>, commit: string, log: Logger): Promise<ApprovalSummary | undefined>;
  /** Reports the outcome of a reconcile of the tracked branch on its commit; a failure is logged, never thrown. */
  reportPush(report: ReconcileReport & { commit: string }, problems: Problem[], approvals: ApprovalSummary | undefined, log: Logger): Promise<void>;
  /** Plans a pull request: the pull-request reconciler, with failures retried with backoff. */
  planPullRequest(request: ReconcileRequest): Promise<Requeue>;
}

export interface ControllerGithubDeps extends GithubDeps {
  source: TrackedSource;
  branch: string;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  artifactCache: ArtifactCache;
  knownEnvironments: () => string[];
  trustedEnvironment: (name: string) => LoadedObject<Environment> | undefined;
  holder: string;
  leaseTtlMs: number;
  logger: Logger;
}

export function createControllerGithub(deps: ControllerGithubDeps): ControllerGithub {
  // Read again whenever the gate asks (a review may have come in since): two conditional
  // requests, answered 304 at no rate-limit cost while nothing changed.
  const readApprovals = async (commit: string) => {
    const pr = await pullRequestOfCommit(deps.client, commit);
    if (!pr) return undefined;
    return { pr, reviews: await reviewsOf(deps.client, pr.number) };
  };

  return {
    async approvals(environment, commit, log) {
      const policy = environmentPolicy(environment.manifest);
      const required = policy.requiredApprovals;
      if (required === 0) return undefined;
      const none: ApprovalSummary = { required, counted: [], ignored: [], approvers: [...policy.approvers] };
      try {
        const found = await readApprovals(commit);
        return found ? countApprovals(found.reviews, found.pr, { required, approvers: policy.approvers }) : none;
      } catch (error) {
        log.warn({ err: error }, 'cannot read the approvals of the commit from GitHub; none counted');
        return none;
      }
    },

    async reportPush(report, problems, approvals, log) {
      const check: EnvironmentCheck = {
        environment: report.environment,
        event: 'push',
        commit: report.commit,
        problems,
        outcome: report.outcome,
        ...(report.plan ? { plan: report.plan } : {}),
        ...(report.decision ? { decision: report.decision } : {}),
        interfaceChanges: report.interfaceChanges ?? {},
        ...(approvals ? { approvals } : {}),
        ...(approvals?.pullRequest !== undefined ? { pullRequest: approvals.pullRequest } : {}),
        ...(deps.detailsUrl ? { detailsUrl: deps.detailsUrl } : {}),
      };
      try {
        await deps.reporter.report(check);
      } catch (error) {
        log.warn({ err: error }, 'cannot report the result to GitHub');
      }
    },

    async planPullRequest(request) {
      try {
        return (await reconcilePullRequest(request, deps)).requeue;
      } catch (error) {
        deps.logger.warn({ pullRequest: Number(request.name), err: error }, 'cannot plan the pull request; retrying with backoff');
        return { policy: 'transient' };
      }
    },
  };
}
