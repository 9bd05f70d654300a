/**
 * What the controller reports to GitHub about one environment at one commit, before it is
 * rendered: the input of renderCheck (./render-check.ts). Plain data, no I/O.
 */
import type { CatalogChange } from '../../artifact/diff-catalogs.ts';
import type { GateDecision } from '../../core/gate.ts';
import type { Plan } from '../../core/plan.ts';
import type { Problem } from '../../core/problem.ts';
import type { ReconcileOutcome } from '../../core/reconcile-outcome.ts';

/** The approvals counted for a commit, as the gate saw them. */
export interface ApprovalSummary {
  required: number;
  /** Users whose current approving review counts (allowed by the policy, not stale, not dismissed). */
  counted: string[];
  /** Approving reviews that do not count, and why: `bob (stale: approved 1a2b3c4, head is 5d6e7f8)`. */
  ignored: string[];
  /** `policy.approvers`; empty: any reviewer but the author. */
  approvers: string[];
  /** The pull request the approvals are on, when one was found. */
  pullRequest?: number;
}

export interface EnvironmentCheck {
  environment: string;
  /** `pull_request`: a plan of the pull request's head (nothing applied); `push`: the apply result on the tracked branch. */
  event: 'pull_request' | 'push';
  /** The commit the check is about (a pull request's head, or the tracked branch's commit). */
  commit: string;
  pullRequest?: number;
  /** Every problem found at this commit (errors and warnings), for annotations; paths relative to the repository. */
  problems: Problem[];
  outcome: ReconcileOutcome;
  plan?: Plan;
  decision?: GateDecision;
  /** Per integration the plan publishes over an earlier version: its interface changes, breaking first. */
  interfaceChanges: Record<string, CatalogChange[]>;
  approvals?: ApprovalSummary;
  /** Where a person sees more (the controller's status page); optional. */
  detailsUrl?: string;
  /**
   * A pull request that changes nothing the environment uses (no manifest or specification of
   * it): reported as `No changes` without planning, so that a check required by branch
   * protection does not wait forever on pull requests that never touch its environment.
   */
  unaffected?: boolean;
  /**
   * The pull request adds the environment: it is not planned, since how an environment is reached
   * (driver, address, credentials) is taken from the tracked branch only, never from a pull request.
   */
  newEnvironment?: boolean;
}

/** One GitHub check run annotation, as the Checks API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export type CheckConclusion = 'success' | 'failure' | 'action_required' | 'neutral';

/** A commit status, where check runs are not available (a personal access token). */
export interface RenderedStatus {
  state: 'success' | 'failure' | 'pending' | 'error';
  /** At most 140 characters (GitHub's limit). */
  description: string;
}

export interface RenderedCheck {
  /** `intctl/<environment>`. */
  name: string;
  conclusion: CheckConclusion;
  title: string;
  /** Markdown, at most 65,535 characters (GitHub's limit), truncated with a marker, never failing. */
  summary: string;
  /** Every annotation; the reporter sends them in batches of at most 50 and may cap their number. */
  annotations: Annotation[];
  status: RenderedStatus;
}
