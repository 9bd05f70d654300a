/**
 * Writes what the controller found to GitHub: one check run per environment and commit, named
 * `intctl/<environment>` (a GitHub App), or a commit status of that context (a token, which
 * cannot create check runs). The number of requests grows with the number of environments,
 * never with the number of integrations: a check run is one request when its plan is ready
 * within `inProgressAfterMs` of the pull request's event (created completed), and one more to
 * show it in progress first when it takes longer; annotations go 50 to a request up to a fixed
 * cap, and a report identical to the last one for the same commit and environment sends nothing.
 * GitHub lets an App write about once a second, so a run shown in progress and then completed
 * could not show its result within a second of the event, and every such write delays the next
 * environment's result by another second.
 */
import { createHash } from 'node:crypto';
import type { GithubReportKind } from '../../config/controller-config.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Annotation, EnvironmentCheck, RenderedCheck } from './check-report.ts';
import { describeError, type GithubClient } from './github-client.ts';
import type { GithubMetrics } from './github-metrics.ts';
import { renderCheck } from './render-check.ts';

/** GitHub takes at most 50 annotations in one request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations written per check run at most: 4 requests; the summary says how many more there are. */
export const MAX_ANNOTATIONS = 200;
const MAX_SUMMARY = 65_535;

export interface GithubReporter {
  /**
   * Marks the runs of a pull request's older head superseded, and shows those of its new head in
   * progress once `inProgressAfterMs` has passed without their result (at once when it is 0).
   */
  started(pullRequest: number, sha: string, environments: readonly string[]): Promise<void>;
  /** Writes the result for one environment at one commit: a completed check run, or a commit status. */
  report(check: EnvironmentCheck): Promise<void>;
  /** Forgets what is kept of a pull request (closed). */
  forgetPullRequest(pullRequest: number): void;
}

export interface GithubReporterOptions {
  client: GithubClient;
  kind: GithubReportKind;
  logger: Logger;
  metrics: GithubMetrics;
  /** The GitHub App writing the runs: only its own runs are looked up (another App's run of the same name is not ours to update). */
  appId?: number;
  /**
   * How long a pull request's environment waits for its result before it is shown in progress
   * (a check run in progress, or a pending status); IN_PROGRESS_AFTER_MS when left out, 0 at once.
   */
  inProgressAfterMs?: number;
  /** Timers of the in-progress writes: the process's own when left out. */
  timers?: ReporterTimers;
}

export interface ReporterTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Plans that take longer than this are shown in progress first; the others are posted with their result. */
export const IN_PROGRESS_AFTER_MS = 2_000;

const processTimers: ReporterTimers = {
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    // A pending in-progress write alone must not keep the process alive.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** An environment of a pull request's head not yet shown in progress: its timer, or its write under way. */
interface Opening {
  timer?: unknown;
  writing?: Promise<void>;
}

interface RunState {
  id: number;
  inProgress: boolean;
}

/** What was last written for a commit and environment. */
interface Reported {
  digest: string;
  success: boolean;
}

/** Runs and digests remembered per commit and environment; older entries go first. */
const MEMORY = 10_000;

export function createGithubReporter(options: GithubReporterOptions): GithubReporter {
  const { client, kind, metrics } = options;
  // From zero, so that the first failure is an increase an alert sees.
  metrics.reportFailures.inc({ kind }, 0);
  const log = options.logger.child({ component: 'github' });
  const runs = new Map<string, RunState>();
  const reported = new Map<string, Reported>();
  const heads = new Map<number, { sha: string; environments: readonly string[] }>();
  const openings = new Map<string, Opening>();
  const inProgressAfterMs = options.inProgressAfterMs ?? IN_PROGRESS_AFTER_MS;
  const timers = options.timers ?? processTimers;
  const key = (sha: string, environment: string) => `${sha} ${environment}`;
  const remember = <T>(map: Map<string, T>, k: string, value: T) => {
    map.delete(k);
    map.set(k, value);
    if (map.size > MEMORY) map.delete(map.keys().next().value as string);
  };

  const findRun = async (sha: string, name: string): Promise<number | undefined> => {
    const octokit = await client.octokit();
    const { data } = await octokit.rest.checks.listForRef({
      owner: client.owner,
      repo: client.repo,
      ref: sha,
      check_name: name,
      filter: 'latest',
      per_page: 1,
      ...(options.appId !== undefined ? { app_id: options.appId } : {}),
    });
    return data.check_runs[0]?.id;
  };

  const writeCheckRun = async (check: EnvironmentCheck, rendered: RenderedCheck): Promise<void> => {
    const octokit = await client.octokit();
    const k = key(check.commit, check.environment);
    const annotations = rendered.annotations.slice(0, MAX_ANNOTATIONS);
    const summary = withAnnotationNote(rendered.summary, rendered.annotations.length - annotations.length);
    const batches = chunk(annotations, ANNOTATIONS_PER_REQUEST);
    const output = (batch: Annotation[] | undefined) => ({ title: rendered.title, summary, ...(batch && batch.length > 0 ? { annotations: batch } : {}) });
    const completed = {
      status: 'completed' as const,
      conclusion: rendered.conclusion,
      completed_at: new Date().toISOString(),
      ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
    };
    let id = runs.get(k)?.id ?? (await findRun(check.commit, rendered.name));
    if (id === undefined) {
      const { data } = await octokit.rest.checks.create({
        owner: client.owner,
        repo: client.repo,
        name: rendered.name,
        head_sha: check.commit,
        external_id: `${check.environment}@${check.commit}`,
        ...completed,
        output: output(batches[0]),
      });
      id = data.id;
    } else {
      await octokit.rest.checks.update({ owner: client.owner, repo: client.repo, check_run_id: id, ...completed, output: output(batches[0]) });
    }
    // GitHub appends the annotations of each update to those the run has.
    for (const batch of batches.slice(1)) {
      await octokit.rest.checks.update({ owner: client.owner, repo: client.repo, check_run_id: id, output: output(batch) });
    }
    remember(runs, k, { id, inProgress: false });
  };

  const writeStatus = async (check: EnvironmentCheck, rendered: RenderedCheck): Promise<void> => {
    const octokit = await client.octokit();
    await octokit.rest.repos.createCommitStatus({
      owner: client.owner,
      repo: client.repo,
      sha: check.commit,
      state: rendered.status.state,
      context: rendered.name,
      description: rendered.status.description,
      ...(check.detailsUrl ? { target_url: check.detailsUrl } : {}),
    });
  };

  /** Shows one environment of a pull request's head in progress: a check run in progress, or a pending status. */
  const writeInProgress = async (sha: string, environment: string): Promise<void> => {
    const octokit = await client.octokit();
    const k = key(sha, environment);
    if (kind === 'statuses') {
      await octokit.rest.repos.createCommitStatus({ owner: client.owner, repo: client.repo, sha, state: 'pending', context: `intctl/${environment}`, description: 'Planning…' });
      return;
    }
    if (runs.has(k)) return;
    const { data } = await octokit.rest.checks.create({
      owner: client.owner,
      repo: client.repo,
      name: `intctl/${environment}`,
      head_sha: sha,
      external_id: `${environment}@${sha}`,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      output: { title: 'Planning…', summary: `intctl is planning ${environment} at ${sha.slice(0, 7)}.` },
    });
    remember(runs, k, { id: data.id, inProgress: true });
  };

  /** Shows the environment in progress when its result has not come within inProgressAfterMs. */
  const openLater = (sha: string, environment: string): void => {
    const k = key(sha, environment);
    const opening: Opening = {};
    opening.timer = timers.setTimeout(() => {
      delete opening.timer;
      opening.writing = writeInProgress(sha, environment).catch((error: unknown) => {
        metrics.reportFailures.inc({ kind });
        log.warn({ environment, commit: sha, err: describeError(error) }, 'could not show the pull request check in progress');
      });
    }, inProgressAfterMs);
    openings.set(k, opening);
  };

  /**
   * Settles what `started` left for a commit and environment before anything else is written for
   * it: an in-progress write not yet made is not made (the result replaces it), one under way is
   * waited for (its run is the one to complete).
   */
  const settleOpening = async (k: string): Promise<void> => {
    const opening = openings.get(k);
    if (!opening) return;
    openings.delete(k);
    if (opening.timer !== undefined) timers.clearTimeout(opening.timer);
    await opening.writing;
  };

  return {
    async started(pullRequest, sha, environments) {
      const previous = heads.get(pullRequest);
      heads.set(pullRequest, { sha, environments });
      try {
        if (previous && previous.sha !== sha) {
          for (const environment of previous.environments) {
            await settleOpening(key(previous.sha, environment));
            const run = runs.get(key(previous.sha, environment));
            if (!run?.inProgress) continue;
            const octokit = await client.octokit();
            await octokit.rest.checks.update({
              owner: client.owner,
              repo: client.repo,
              check_run_id: run.id,
              status: 'completed',
              conclusion: 'cancelled',
              completed_at: new Date().toISOString(),
              output: { title: `Superseded by ${sha.slice(0, 7)}`, summary: `A newer commit, ${sha}, was pushed to the pull request; its plan replaces this one.` },
            });
            run.inProgress = false;
          }
        }
        for (const environment of environments) {
          const k = key(sha, environment);
          // A status is written again for the new plan; a check run already made is its commit's.
          if (kind === 'statuses') reported.delete(k);
          else if (runs.has(k)) continue;
          if (openings.has(k)) continue;
          if (inProgressAfterMs <= 0) await writeInProgress(sha, environment);
          else openLater(sha, environment);
        }
      } catch (error) {
        metrics.reportFailures.inc({ kind });
        throw describeError(error);
      }
    },

    async report(check) {
      const rendered = renderCheck(check);
      const digest = digestOf(rendered);
      const k = key(check.commit, check.environment);
      await settleOpening(k);
      const last = reported.get(k);
      if (last?.digest === digest) return;
      // A later reconcile that finds the environment in step says less than the apply that got it
      // there: it does not replace that success on the same commit.
      if (last?.success && check.event === 'push' && check.outcome.kind === 'Applied' && check.outcome.applied === 0) return;
      try {
        if (kind === 'checks') await writeCheckRun(check, rendered);
        else await writeStatus(check, rendered);
        remember(reported, k, { digest, success: rendered.conclusion === 'success' });
        log.debug({ environment: check.environment, commit: check.commit, conclusion: rendered.conclusion }, `reported as a ${kind === 'checks' ? 'check run' : 'commit status'}`);
      } catch (error) {
        metrics.reportFailures.inc({ kind });
        throw describeError(error);
      }
    },

    forgetPullRequest(pullRequest) {
      const head = heads.get(pullRequest);
      for (const environment of head?.environments ?? []) {
        const opening = openings.get(key(head!.sha, environment));
        if (opening?.timer !== undefined) timers.clearTimeout(opening.timer);
        openings.delete(key(head!.sha, environment));
      }
      heads.delete(pullRequest);
    },
  };
}

function digestOf(rendered: RenderedCheck): string {
  return createHash('sha256').update(JSON.stringify([rendered.conclusion, rendered.title, rendered.summary, rendered.annotations, rendered.status])).digest('hex');
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Says in the summary how many problems have no annotation, within GitHub's size limit. */
function withAnnotationNote(summary: string, left: number): string {
  if (left <= 0) return summary;
  const note = `\n\n${left} more ${left === 1 ? 'problem is' : 'problems are'} not annotated here (at most ${MAX_ANNOTATIONS} a check run); run \`intctl validate\` to see them all.`;
  return summary.length + note.length <= MAX_SUMMARY ? summary + note : summary.slice(0, MAX_SUMMARY - note.length) + note;
}
