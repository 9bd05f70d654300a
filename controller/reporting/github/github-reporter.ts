/**
 * Writes what the controller found to GitHub: one check run per environment and commit, named
 * `intctl/<environment>` (a GitHub App), or a commit status of that context (a token, which
 * cannot create check runs). The number of requests grows with the number of environments,
 * never with the number of integrations: a check run is one request to start and one to finish,
 * annotations go 50 to a request up to a fixed cap, and a report identical to the last one for
 * the same commit and environment sends nothing.
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
  /** Shows the check runs of a pull request's new head as in progress, and marks those of its older head superseded. */
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

  return {
    async started(pullRequest, sha, environments) {
      const previous = heads.get(pullRequest);
      heads.set(pullRequest, { sha, environments });
      try {
        const octokit = await client.octokit();
        if (previous && previous.sha !== sha) {
          for (const environment of previous.environments) {
            const run = runs.get(key(previous.sha, environment));
            if (!run?.inProgress) continue;
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
        if (kind === 'statuses') {
          for (const environment of environments) {
            await octokit.rest.repos.createCommitStatus({ owner: client.owner, repo: client.repo, sha, state: 'pending', context: `intctl/${environment}`, description: 'Planning…' });
            reported.delete(key(sha, environment));
          }
          return;
        }
        for (const environment of environments) {
          const k = key(sha, environment);
          if (runs.has(k)) continue;
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
