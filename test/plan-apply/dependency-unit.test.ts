/**
 * A dependency update and the republishes it forces are one unit: a fault in the forced
 * republish leaves the environment as it was (the old major installed, the artifacts that require
 * it untouched, nothing logged), on every driver, and the next apply does the whole of it.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import type { EnvironmentDriver } from '../../controller/environments/driver.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { serveEnvironment } from '../environment-server/support/serve-environment.ts';
import { wrapDriver } from '../environments/support/wrap-driver.ts';

const BASE = join(import.meta.dirname, '..', 'fixtures', 'bad-input', '_base');

/** dev, applying on its own, with integration-utils pinned at `version`. */
const environments = (version: string): string => `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec:
  driver: embedded
  policy: { plainSecrets: true }
  dependencies: { integration-utils: ${version} }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: prod }
spec: { driver: embedded }
`;

/** A driver whose forced republishes the environment refuses: the fault lands after the update, inside the apply. */
function failingForcedRepublish(driver: EnvironmentDriver): EnvironmentDriver {
  const spoil = (action: PlanAction): PlanAction =>
    action.type === 'Publish' && action.reason === 'ForcedByDependency' ? { ...action, integration: { ...action.integration, version: '' } } : action;
  return wrapDriver(driver, {
    apply: (action, context) => driver.apply(spoil(action), context),
    applyUnit: (actions, context) => driver.applyUnit(actions.map(spoil), context),
  });
}

interface Opened {
  driver: EnvironmentDriver;
  close: () => Promise<void>;
}

const DRIVERS: Array<{ name: string; open: (dir: string) => Promise<Opened> }> = [
  {
    name: 'embedded',
    open: async (dir) => {
      const store = await openEmbeddedEnvironment(join(dir, 'dev.sqlite'), { name: 'dev' });
      return { driver: store, close: () => store.close() };
    },
  },
  {
    name: 'http → environment server',
    open: async () => {
      const served = await serveEnvironment({ name: 'dev' });
      return { driver: served.driver, close: served.close };
    },
  },
];

describe.each(DRIVERS)('a major dependency update through the $name driver', ({ open }) => {
  let work: string;
  let repo: string;
  let opened: Opened;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'intctl-unit-'));
    repo = join(work, 'repo');
    await cp(BASE, repo, { recursive: true });
    opened = await open(work);
  });
  afterEach(async () => {
    await opened.close();
    await rm(work, { recursive: true, force: true });
  });

  async function apply(driver: EnvironmentDriver) {
    const reader = fsRepository(repo);
    const runner = createEnvironmentRunner({
      load: async () => ({ commit: 'c'.repeat(40), reader, ...(await loadAndValidate(reader)) }),
      // The reconcile closes what it opened; the test keeps the environment open across reconciles.
      openDriver: async () => wrapDriver(driver, { close: async () => {} }),
      trigger: 'manual',
      holder: 'test',
      leaseTtlMs: 30_000,
    });
    return (await runner.reconcile('dev', 'apply')).report;
  }

  it('leaves the old major and the artifacts that require it when a forced republish fails, then applies all of it', async () => {
    const { driver } = opened;
    await writeFile(join(repo, 'environments.yaml'), environments('3.0.0'));
    expect((await apply(driver)).outcome).toMatchObject({ kind: 'Applied' });
    const before = await driver.observe();
    expect(before.dependencies['integration-utils']).toBe('3.0.0');
    expect(before.integrations.map((i) => i.requires['integration-utils'])).toEqual(['^3.0.0']);
    const log = await driver.actionLog();

    await writeFile(join(repo, 'environments.yaml'), environments('4.0.0'));
    const failed = await apply(failingForcedRepublish(driver));
    expect(failed.plan!.actions.map((a) => [a.type, a.type === 'Publish' ? a.reason : ''])).toEqual([
      ['UpdateDependency', ''],
      ['Publish', 'ForcedByDependency'],
    ]);
    expect(failed.outcome).toMatchObject({ kind: 'ApplyFailed', reason: 'InvalidAction' });

    // Unchanged: integration-utils 3.0.0 still installed, the artifact requiring ^3.0.0 still published, nothing logged.
    const after = await driver.observe();
    expect(after).toEqual(before);
    expect(after.dependencies['integration-utils']).toBe('3.0.0');
    expect(await driver.actionLog()).toEqual(log);
    expect(failed.outcome.kind === 'ApplyFailed' && failed.outcome.message).toContain('none of the 2 actions applied with it (the dependency update and the republishes it forces) was applied');

    // Without the fault, the next apply does the whole unit.
    expect((await apply(driver)).outcome).toMatchObject({ kind: 'Applied', applied: 2 });
    const updated = await driver.observe();
    expect(updated.dependencies['integration-utils']).toBe('4.0.0');
    expect(updated.integrations.map((i) => i.requires['integration-utils'])).toEqual(['^4.0.0']);
  });
});
