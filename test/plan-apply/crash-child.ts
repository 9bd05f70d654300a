/**
 * A controller process for the crash test: one reconcile of environment `dev` in `apply` mode,
 * as `intctl apply` runs it, that stops dead after its Nth applied action (blocking its only
 * thread, holding its lease and its SQLite connection) and says so on standard output, so the
 * test can SIGKILL it exactly between two actions.
 *
 *   node --import tsx crash-child.ts <repo> <stateDir> <stopAfter> <holder> <leaseTtlMs>
 */
import { writeSync } from 'node:fs';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';

const [repo, stateDir, stopAfter, holder, ttl] = process.argv.slice(2);
if (!repo || !stateDir || !stopAfter || !holder || !ttl) throw new Error('usage: crash-child.ts <repo> <stateDir> <stopAfter> <holder> <leaseTtlMs>');

const reader = fsRepository(repo);
const runner = createEnvironmentRunner({
  load: async () => ({ commit: 'crash-test', reader, ...(await loadAndValidate(reader)) }),
  openDriver: (environment) => openDriver(environment.manifest, { stateDir }),
  trigger: 'manual',
  holder,
  leaseTtlMs: Number(ttl),
});
const { report } = await runner.reconcile('dev', 'apply', (_action, _outcome, index, total) => {
  if (index + 1 < Number(stopAfter)) return;
  writeSync(1, `stopped after ${index + 1} of ${total}\n`);
  // Nothing runs in this process any more until the test kills it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
writeSync(1, `finished: ${JSON.stringify(report.outcome)}\n`);
