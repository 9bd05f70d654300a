import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { odataGenerator } from '../../controller/generators/odata/odata-generator.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { createSpecModels, type SpecModels } from '../../controller/generators/spec-models.ts';
import { loadRepository } from '../../controller/load/load-repository.ts';
import { buildDesiredState } from '../../controller/reconcilers/environment/desired-state.ts';
import { generateFingerprintKey } from '../../controller/secrets/connection-fingerprint.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { FIXTURES } from './support.ts';

const ENVIRONMENTS = ['dev', 'test', 'prod'];
const SALES_INTEGRATIONS = 6;
const SHOP_INTEGRATIONS = 2;
const keys = { publicKey: generateKeyPair().publicKey, fingerprintKey: generateFingerprintKey() };
let root: string;

/** Environments, one connection per system, and integrations that share two specifications. */
function writeRepository(): void {
  mkdirSync(join(root, 'specs'));
  copyFileSync(join(FIXTURES, 'sales-v2.edmx'), join(root, 'specs', 'sales.edmx'));
  copyFileSync(join(FIXTURES, 'shop-openapi.yaml'), join(root, 'specs', 'shop.yaml'));
  const docs: string[] = ENVIRONMENTS.map((name) => `kind: Environment\nmetadata: { name: ${name} }\nspec: { driver: embedded }\n`);
  const endpoints = ENVIRONMENTS.map((name) => `${name}: { endpoint: "https://${name}.example.com" }`).join(', ');
  for (const system of ['odata', 'openapi']) docs.push(`kind: Connection\nmetadata: { name: ${system} }\nspec:\n  system: ${system}\n  auth: { type: none }\n  environments: { ${endpoints} }\n`);
  const operations = ['[Get]', '[Get, Search]', '[Get, Search, Count]', '[Get, Create, Update]'];
  for (let n = 0; n < SALES_INTEGRATIONS; n++) {
    docs.push(`kind: Integration\nmetadata: { name: sales-${n} }\nspec:\n  system: odata\n  source: { path: specs/sales.edmx }\n  entities: [{ name: A_SalesOrder, operations: ${operations[n % operations.length]} }]\n  connection: odata\n  environments: [${ENVIRONMENTS.join(', ')}]\n`);
  }
  for (let n = 0; n < SHOP_INTEGRATIONS; n++) {
    docs.push(`kind: Integration\nmetadata: { name: shop-${n} }\nspec:\n  system: openapi\n  source: { path: ./specs/shop.yaml }\n  entities: [{ name: products, operations: ${operations[n]} }]\n  connection: openapi\n  environments: [${ENVIRONMENTS.join(', ')}]\n`);
  }
  writeFileSync(join(root, 'manifests.yaml'), docs.map((d) => `apiVersion: intctl.dev/v1alpha1\n${d}`).join('---\n'));
}

/** What reconciling every environment does: load and validate, then generate each environment's desired state. */
async function validateAndGenerate(models?: SpecModels): Promise<number> {
  const reader = fsRepository(root);
  const loaded = await loadRepository(reader, models ? { models } : {});
  expect(loaded.errors).toEqual([]);
  let artifacts = 0;
  for (const environment of loaded.set.environments) {
    const desired = await buildDesiredState(loaded.set, environment, reader, keys, 'c'.repeat(40), undefined, models);
    expect(desired.problems).toEqual([]);
    artifacts += desired.state.integrations.length;
  }
  return artifacts;
}

/** Parses the generators themselves did, by system. */
let parses: () => { odata: number; openapi: number };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'intctl-parse-once-'));
  writeRepository();
  const odata = vi.spyOn(odataGenerator, 'parse');
  const openapi = vi.spyOn(openapiGenerator, 'parse');
  parses = () => ({ odata: odata.mock.calls.length, openapi: openapi.mock.calls.length });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

describe('a specification shared by integrations and environments', () => {
  it('is parsed once for validation and generation with one cache of models, and again once a byte of it changes', async () => {
    const models = createSpecModels();
    expect(await validateAndGenerate(models)).toBe((SALES_INTEGRATIONS + SHOP_INTEGRATIONS) * ENVIRONMENTS.length);
    expect([parses(), models.parses]).toEqual([{ odata: 1, openapi: 1 }, 2]);

    expect(await validateAndGenerate(models)).toBe(24);
    expect([parses(), models.parses]).toEqual([{ odata: 1, openapi: 1 }, 2]);

    appendFileSync(join(root, 'specs', 'sales.edmx'), '\n');
    expect(await validateAndGenerate(models)).toBe(24);
    expect([parses(), models.parses]).toEqual([{ odata: 2, openapi: 1 }, 3]);
  });

  it('is parsed once for validation and once per environment without one', async () => {
    expect(await validateAndGenerate()).toBe(24);
    expect(parses()).toEqual({ odata: 1 + ENVIRONMENTS.length, openapi: 1 + ENVIRONMENTS.length });
  });
});
