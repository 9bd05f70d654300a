import { readFile } from 'node:fs/promises';
import type { ActionCatalog } from '../../../controller/core/catalog.ts';
import type { ConnectionRecord, PublishedIntegration } from '../../../controller/core/environment-state.ts';
import { createActionRuntime, type ActionRuntime } from '../../../controller/action-runtime/action-runtime.ts';
import type { KeyPair } from '../../../controller/secrets/generate-key-pair.ts';
import { generateCatalog } from './publish.ts';
import { WAREHOUSE_SPEC } from './warehouse.ts';

/** The warehouse's catalog (GetItem), generated from its OpenAPI description by the real generator. */
export async function warehouseCatalog(): Promise<ActionCatalog> {
  return generateCatalog('warehouse', 'openapi', new Uint8Array(await readFile(WAREHOUSE_SPEC)), { entities: [{ name: 'items', operations: ['Get'] }] });
}

export interface RuntimeOptions {
  now?: () => number;
  fetch?: typeof fetch;
  log?: string[];
  variables?: Record<string, string>;
  timeoutMs?: number;
}

/** A runtime over the warehouse integration bound to `connection`, as an environment server runs it. */
export function runtimeFor(catalog: ActionCatalog, connection: ConnectionRecord, keyPair: KeyPair, options: RuntimeOptions = {}): ActionRuntime {
  const integration: PublishedIntegration = {
    name: 'warehouse',
    version: '1.0.0',
    artifactHash: `sha256:${'1'.repeat(64)}`,
    system: 'openapi',
    catalog,
    requires: {},
    connection: connection.name,
    commit: 'e'.repeat(40),
  };
  return createActionRuntime({
    source: { integration: async (n) => (n === 'warehouse' ? integration : undefined), connection: async (n) => (n === connection.name ? connection : undefined), keyPair: () => keyPair },
    variables: options.variables ?? {},
    ...(options.now ? { now: options.now } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.log ? { log: { info: (object, message) => options.log!.push(JSON.stringify({ ...object, message })) } } : {}),
  });
}
