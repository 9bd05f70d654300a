import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import type { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import { loadManifests } from '../../controller/load/load-manifests.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { toConnectionRecord } from '../../controller/secrets/to-connection-record.ts';
import { runCli } from '../helpers/cli.ts';

const PLAIN = 'PLAIN-dev-only-9c1e5b';

const MANIFESTS = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, path: dev.sqlite, policy: { plainSecrets: true } }
---
apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: sap-s4 }
spec:
  system: odata
  auth: { type: basic }
  environments:
    dev:
      endpoint: https://s4-dev.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV
      username: INTEGRATION_DEV
      password: { plain: ${PLAIN} }
`;

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Every byte SQLite keeps for the file: the database, its write-ahead log and shared memory. */
async function storeBytes(path: string): Promise<Buffer> {
  const parts = [path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p));
  return Buffer.concat(await Promise.all(parts.map((p) => readFile(p))));
}

describe('a plain secret in a manifest', () => {
  it("reaches the environment's SQLite file only sealed, and the environment can still open it", async () => {
    dir = await mkdtemp(join(tmpdir(), 'intctl-plain-'));
    await mkdir(join(dir, 'repo'));
    await writeFile(join(dir, 'repo', 'manifests.yaml'), MANIFESTS);
    const stateDir = join(dir, 'state');
    expect((await runCli(['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'], dir)).code).toBe(0);

    const loaded = await loadManifests(fsRepository(join(dir, 'repo')));
    expect(loaded.problems).toEqual([]);
    const driver = (await openDriver(loaded.set.environments[0]!.manifest, { stateDir })) as EmbeddedEnvironment;
    const built = toConnectionRecord(loaded.set.connections[0]!.manifest, 'dev', await driver.publicKey(), await driver.fingerprintKey());
    if (!built.ok) throw new Error(built.message);
    const sealed = (built.record.secrets.password as { sealed: string }).sealed;
    const lease = (await driver.acquireLease('controller', 30_000))!;
    expect(await driver.apply({ id: 'upsert-sap-s4@0.test', type: 'UpsertConnection', connection: built.record, reason: 'New' }, { lease, commit: 'c'.repeat(40), plan: { head: 0, id: '0.test' } })).toBe('applied');

    const whileOpen = await storeBytes(driver.path);
    expect(existsSync(`${driver.path}-wal`)).toBe(true);
    expect(whileOpen.includes(sealed)).toBe(true);
    expect(whileOpen.includes(PLAIN)).toBe(false);
    await driver.close();

    const afterClose = await storeBytes(driver.path);
    expect(afterClose.includes(sealed)).toBe(true);
    expect(afterClose.includes(PLAIN)).toBe(false);

    const reopened = (await openDriver(loaded.set.environments[0]!.manifest, { stateDir })) as EmbeddedEnvironment;
    try {
      const stored = (await reopened.observe()).connections[0]!;
      expect(stored.fingerprint).toBe(built.record.fingerprint);
      expect(openSealed(reopened.keyPair(), (stored.secrets.password as { sealed: string }).sealed)).toEqual({ ok: true, value: PLAIN });
    } finally {
      await reopened.close();
    }
  });
});
