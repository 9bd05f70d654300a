import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { EnvironmentStatusDocument } from '../controller/core/environment-status.ts';
import { createStatusWriter } from '../controller/reporting/status-branch/create-status-writer.ts';
import { createGitRemote } from '../test/support/git-repo.ts';
import { createGitShim } from '../test/support/git-shim.ts';
import { median } from './support/median.ts';

/**
 * The status branch (issue 15: one status commit per environment per change of status, written
 * without a work tree and without a process per step): a writer that knows the branch's tip
 * writes a change of status for each of three environments, RUNS times, through a git on the
 * PATH that counts the processes it is asked for. Reports the median time of one status commit,
 * the git processes per commit, and those of writing a status that did not change.
 */
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const RUNS = 20;
const HASH = `sha256:${'ab'.repeat(32)}`;

const remote = createGitRemote({ prefix: 'intctl-bench-status-' });
remote.write('environments/dev.yaml', 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata: { name: dev }\nspec: { driver: embedded }\n');
remote.commit('manifests');
const shim = createGitShim(remote.root);
const writer = createStatusWriter({ url: remote.remote, dir: join(remote.root, 'status'), author: { name: 'intctl', email: 'intctl@example.com' }, env: shim.env });

function document(environment: string, round: number): EnvironmentStatusDocument {
  const commit = round.toString(16).padStart(40, '0');
  return {
    environment,
    observedCommit: commit,
    conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: `applied round ${round}`, observedCommit: commit, lastTransitionTime: '2026-12-01T08:00:00.000Z' }],
    lastApplied: { commit, at: '2026-12-01T08:00:00.000Z', actions: [`Publish orders-${round} (Changed)`] },
    published: Array.from({ length: 50 }, (_, i) => ({ integration: `integration-${i}`, version: 'abababababab', artifactHash: HASH, commit })),
  };
}

const durations: number[] = [];
const processes: number[] = [];
let unchangedProcesses = 0;
let round = 0;

describe('status branch', () => {
  bench(
    'a change of status of each of three environments, one status commit each',
    async () => {
      if (round === 0) for (const environment of ENVIRONMENTS) await writer.write(document(environment, 0)); // learns the tip
      round++;
      for (const environment of ENVIRONMENTS) {
        shim.reset();
        const started = performance.now();
        if ((await writer.write(document(environment, round))) !== 'written') throw new Error('a change of status was not written');
        durations.push(performance.now() - started);
        processes.push(shim.commands().length);
      }
      if (round < RUNS) return;
      shim.reset();
      for (const environment of ENVIRONMENTS) if ((await writer.write(document(environment, round))) !== 'unchanged') throw new Error('an unchanged status was written');
      unchangedProcesses = shim.commands().length;
      const result = {
        statusCommits: durations.length,
        medianMs: Math.round(median(durations) * 10) / 10,
        gitProcessesPerCommit: median(processes),
        gitProcessesForUnchanged: unchangedProcesses,
      };
      process.stderr.write(`status branch: one status commit median ${result.medianMs} ms, ${result.gitProcessesPerCommit} git processes each (${result.statusCommits} commits); an unchanged status: ${unchangedProcesses} processes\n`);
      mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
      writeFileSync(join(import.meta.dirname, 'results', 'status-branch.json'), `${JSON.stringify(result, null, 2)}\n`);
      rmSync(remote.root, { recursive: true, force: true });
    },
    { iterations: RUNS, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
