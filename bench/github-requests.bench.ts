import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { measureBudget, type BudgetResult } from '../test/github/support/api-budget.ts';

/**
 * The GitHub API requests of one commit in a repository of 1,000 integrations and 3 environments
 * (dev, test, prod; prod requires two approvals): a pull request changing every integration,
 * planned and reported as three check runs, then merged and applied, each environment's result
 * reported on the merge commit. The real controller, a real Git remote, the GitHub stand-in that
 * checks every request against GitHub's published description. Prints the counts and writes
 * bench/results/github-requests.json; the time of one run is what vitest reports.
 */
const INTEGRATIONS = 1000;
const results: BudgetResult[] = [];

describe('GitHub API requests per commit', () => {
  bench(
    `${INTEGRATIONS} integrations, 3 environments: pull request planned, merged, applied`,
    async () => {
      const result = await measureBudget(INTEGRATIONS, 120_000);
      results.push(result);
      console.log(JSON.stringify(result));
      mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
      writeFileSync(join(import.meta.dirname, 'results', 'github-requests.json'), `${JSON.stringify(results, null, 2)}\n`);
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
