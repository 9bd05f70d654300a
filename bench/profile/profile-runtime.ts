import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { generateCatalog, publishWith } from '../../test/environment-server/support/publish.ts';
import { startWarehouse, WAREHOUSE_KEY } from '../../test/environment-server/support/warehouse.ts';
import { APP, CONTROLLER, startEnvironmentServer } from '../support/environment-server.ts';

/**
 * Profiles the environment server on the action path: starts it as runtime.bench.ts does, with
 * `--cpu-prof`, publishes the warehouse, makes CALLS GetItem calls (16 in flight), stops it, and
 * names the .cpuprofile written (summarise it with bench/profile/top-frames.ts).
 *
 *   npx tsx bench/profile/profile-runtime.ts [CALLS] [PROFILE_DIR]
 */
const calls = Number(process.argv[2] ?? 20_000);
const profileDir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'intctl-profile-'));
const dir = mkdtempSync(join(tmpdir(), 'intctl-profile-state-'));
const warehouse = await startWarehouse('apiKey');
const server = await startEnvironmentServer(dir, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
try {
  const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
  const spec = new Uint8Array(Buffer.from(await (await fetch(`${warehouse.url}/openapi.yaml`)).arrayBuffer()));
  const catalog = await generateCatalog('warehouse', 'openapi', spec, { entities: [{ name: 'items', operations: ['Get', 'Search'] }] });
  await publishWith(driver, catalog, {
    name: 'warehouse',
    system: 'openapi',
    authType: 'apiKey',
    parameters: { endpoint: warehouse.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
    secrets: { apiKey: { sealed: sealSecret(await driver.publicKey(), WAREHOUSE_KEY) } },
    fingerprint: 'bench',
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      const response = await fetch(`${server.url}/v1/integrations/warehouse/actions/GetItem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' },
        body: '{"itemId":"i1"}',
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`a call answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
} finally {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => (server.child.exitCode !== null ? resolve(undefined) : server.child.once('exit', resolve)));
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${readdirSync(profileDir).map((f) => join(profileDir, f)).join('\n')}\n`);
