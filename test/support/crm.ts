/**
 * The crm fixture most controller tests share: examples/specs/crm-openapi.yaml, the `crm`
 * integration of its customers and the `crm-api` connection (an API key in a header).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, EntitySelection, Integration, SecretValue } from '../../controller/generated/manifests.ts';
import { connection, integration } from './manifests.ts';

export const CRM_SPEC = join(import.meta.dirname, '..', '..', 'examples', 'specs', 'crm-openapi.yaml');
/** Where the fixture's manifests expect the specification. */
export const CRM_SPEC_PATH = 'specs/crm-openapi.yaml';
const SANDBOX = 'https://sandbox.crm.example.com/v2';

/** Copies the crm specification into a repository directory, at CRM_SPEC_PATH. */
export function copyCrmSpec(dir: string): void {
  mkdirSync(join(dir, 'specs'), { recursive: true });
  copyFileSync(CRM_SPEC, join(dir, CRM_SPEC_PATH));
}

/** An integration of the crm customers (`operations` of them), bound to crm-api, in `environments`. */
export function crmIntegration(options: { name?: string; operations?: EntitySelection['operations']; environments: string[] }): Integration {
  return integration({
    name: options.name ?? 'crm',
    system: 'openapi',
    source: { path: CRM_SPEC_PATH },
    entities: [{ name: 'customers', operations: options.operations ?? ['Get', 'Search', 'Count'] }],
    connection: 'crm-api',
    environments: options.environments,
  });
}

/**
 * The `crm-api` connection defined for each environment named, with its API key, at an endpoint
 * (the sandbox unless one is given).
 */
export function crmConnection(apiKeys: Record<string, SecretValue>, endpoints: Record<string, string> = {}): Connection {
  const environments = Object.fromEntries(Object.entries(apiKeys).map(([name, apiKey]) => [name, { endpoint: endpoints[name] ?? SANDBOX, apiKey }]));
  return connection({ name: 'crm-api', system: 'openapi', auth: { type: 'apiKey', apiKeyIn: 'header', apiKeyName: 'X-API-Key' }, environments });
}
