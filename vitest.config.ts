import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { deadline } from './test/support/time.ts';

/**
 * The unit tier, `npm run test:unit`: the tests of the edit loop, in seconds. Pure core,
 * planning, rendering, generation and validation of small inputs, configuration: no child
 * processes, servers, network, Git or databases, which test/support/unit-guard.ts refuses. Every
 * other test file is in the integration tier; `npm test` runs both.
 */
export const UNIT = [
  'test/core/**/*.test.ts',
  'test/plan/**/*.test.ts',
  'test/crds/**/*.test.ts',
  'test/github/{affected-environments,approvals,render-check}.test.ts',
  'test/generation/{artifact,diff-catalogs,odata-generator,openapi-generator,openapi-inference,openapi-requests,parse-spec-text,registry-contract,rfc3339-formats,sql-generator}.test.ts',
  'test/environment-server/build-request.test.ts',
  'test/runtime/{backoff,read-controller-config,requeue-policy,shard-membership,work-queue}.test.ts',
  'test/secrets/{connection-fingerprint,seal-secret,to-connection-record}.test.ts',
  'test/server/verify-signature.test.ts',
  'test/source/{generational-cache,git-transport}.test.ts',
  'test/chart/{chart-schema,dockerfile}.test.ts',
  'test/cli/lazy-commands.test.ts',
  'test/notifications/events-of-transition.test.ts',
  'test/config/notification-config.test.ts',
  'test/database/column-values.test.ts',
];

/**
 * The slowest test files, slowest first (measured with `--reporter=json` on the 2-core machines
 * we run on). A run lasts as long as its busiest worker, so these start first and the many short
 * files fill in around them. Without this, vitest orders a clean checkout by file size, and the
 * longest files could start last and run alone at the end. The list only orders: a stale one
 * costs time, never a result. Last ordered from one whole run on a busy machine (load 9-11, 2026-12-03),
 * in which api-budget.test.ts, then missing here, started last and ran alone for its final 10 s.
 */
export const SLOWEST = [
  'test/cli/history-trigger.test.ts',
  'test/generation/fidelity-live.test.ts',
  'test/dashboard/dashboard-browser.test.ts',
  'test/runtime/controller.test.ts',
  'test/source/incremental-equals-cold.test.ts',
  'test/runtime/shards.test.ts',
  'test/environment-server/key-file.test.ts',
  'test/generation/fidelity.test.ts',
  'test/environments/driver-contract.test.ts',
  'test/generation/declarations.test.ts',
  'test/generation/real-specifications.test.ts',
  'test/plan-apply/crash.test.ts',
  'test/cli/state-dir.test.ts',
  'test/github/pull-requests.test.ts',
  'test/generation/openapi-validation.test.ts',
  'test/github/api-budget.test.ts',
  'test/source/git-source.test.ts',
  'test/cli/plan-apply-command.test.ts',
  'test/environment-server/environment-server.test.ts',
  'test/dashboard/demo-serve.test.ts',
];

/** Vitest's order (by each file's last duration, when known), with SLOWEST moved to the front. */
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const at = SLOWEST.indexOf(relative(file.project.config.root, file.moduleId));
      return at === -1 ? SLOWEST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // Deadlines, never durations a test must meet: scaled by INTCTL_TEST_TIME_FACTOR (test/support/time.ts).
    testTimeout: deadline(60_000),
    hookTimeout: deadline(60_000),
    // One worker more than the cores, not vitest's one less (a single worker on the 2-core
    // machines we run on): most files spend much of their time waiting on processes, Git,
    // databases and servers. On 2 cores, 3 workers ran the whole suite in 305 s against 350 s with
    // 2 (one sitting).
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: SlowestFirst },
    projects: [
      // isolate: false: the unit tests are pure, so each worker keeps one module graph for all its
      // files instead of importing the controller afresh for each, which halves the tier's time.
      { extends: true, test: { name: 'unit', include: UNIT, setupFiles: ['test/support/unit-guard.ts'], isolate: false, benchmark: { include: [] } } },
      // Benchmarks run real environments and processes: with the integration tier, once.
      // globalSetup: the processes the tests start run the CLI's build (test/support/fresh-build.ts).
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT, globalSetup: ['test/support/fresh-build.ts'], benchmark: { include: ['bench/**/*.bench.ts'] } } },
    ],
  },
});
