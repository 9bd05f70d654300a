import { Counter, Gauge, type Registry } from 'prom-client';

/** What the controller's use of the GitHub API costs, for operators to watch their budget. */
export interface GithubMetrics {
  /** intctl_github_requests_total{method, route, status}: every HTTP request sent, retries and 304s included. */
  requests: Counter<'method' | 'route' | 'status'>;
  /** intctl_github_rate_limit_remaining{resource}: the headroom GitHub reported on its last answer. */
  rateLimitRemaining: Gauge<'resource'>;
  /** intctl_github_rate_limit_limit{resource}: the hourly budget GitHub reported. */
  rateLimitLimit: Gauge<'resource'>;
  /** intctl_github_report_failures_total{kind}: check runs or statuses that could not be written. */
  reportFailures: Counter<'kind'>;
}

/** Registers the GitHub metrics in the controller's registry. */
export function createGithubMetrics(registry: Registry): GithubMetrics {
  return {
    requests: new Counter({
      name: 'intctl_github_requests_total',
      help: 'Requests sent to the GitHub API (retries and conditional 304 answers included), by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    rateLimitRemaining: new Gauge({
      name: 'intctl_github_rate_limit_remaining',
      help: 'Requests left in the current GitHub rate-limit window, as GitHub last reported it.',
      labelNames: ['resource'],
      registers: [registry],
    }),
    rateLimitLimit: new Gauge({
      name: 'intctl_github_rate_limit_limit',
      help: 'The size of the GitHub rate-limit window, as GitHub last reported it.',
      labelNames: ['resource'],
      registers: [registry],
    }),
    reportFailures: new Counter({
      name: 'intctl_github_report_failures_total',
      help: 'Check runs or commit statuses that could not be written to GitHub, after retries.',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}
