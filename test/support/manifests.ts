/**
 * Manifests for tests, typed by the generated kinds (controller/generated/manifests.ts): a
 * builder per kind that fills in what a test does not care about, and `toYaml`, which writes them
 * as a person would (short lists and maps of plain values on one line, flow style).
 */
import { Document, isScalar, visit } from 'yaml';
import type {
  Connection,
  ConnectionSpec,
  DependencyPins,
  Environment,
  EnvironmentSpec,
  Integration,
  IntegrationSpec,
} from '../../controller/generated/manifests.ts';

export const API_VERSION = 'intctl.dev/v1alpha1';

/** Pins of every shared dependency, as the fixtures of the controller's tests use. */
export const PINS: Required<DependencyPins> = {
  'integration-utils': '3.0.0',
  'common-shared-services': '1.9.0',
  'secret-manager': '1.4.0',
  'integration-manager': '3.2.0',
  'sharepoint-utils': '1.3.0',
};

export type Manifest = Integration | Connection | Environment;

/**
 * An Integration named `name`; what the spec leaves out is openapi from specs/crm-openapi.yaml
 * (every entity: no selection), bound to crm-api, in dev.
 */
export function integration({ name, ...spec }: { name: string } & Partial<IntegrationSpec>): Integration {
  return {
    apiVersion: API_VERSION,
    kind: 'Integration',
    metadata: { name },
    spec: inOrder({ system: 'openapi', source: { path: 'specs/crm-openapi.yaml' }, connection: 'crm-api', environments: ['dev'], ...spec }, INTEGRATION_KEYS),
  };
}

/** A Connection named `name`; an openapi system without authentication unless the spec says otherwise. */
export function connection({ name, ...spec }: { name: string } & Partial<ConnectionSpec> & Pick<ConnectionSpec, 'environments'>): Connection {
  return { apiVersion: API_VERSION, kind: 'Connection', metadata: { name }, spec: inOrder({ system: 'openapi', auth: { type: 'none' }, ...spec }, CONNECTION_KEYS) };
}

/** An Environment named `name`; embedded unless the spec says otherwise, and nothing else set. */
export function environment({ name, ...spec }: { name: string } & Partial<EnvironmentSpec>): Environment {
  return { apiVersion: API_VERSION, kind: 'Environment', metadata: { name }, spec: inOrder({ driver: 'embedded', ...spec }, ENVIRONMENT_KEYS) };
}

/** The order of each kind's fields in its CustomResourceDefinition, which a manifest is written in. */
const INTEGRATION_KEYS = ['system', 'description', 'source', 'entities', 'functions', 'connection', 'environments', 'suspend'];
const CONNECTION_KEYS = ['system', 'description', 'auth', 'environments'];
const ENVIRONMENT_KEYS = ['driver', 'description', 'url', 'path', 'token', 'promotesFrom', 'policy', 'dependencies', 'suspend'];

/** The same object with its keys in the order given (any others after them). */
function inOrder<T extends object>(value: T, keys: readonly string[]): T {
  const rank = (key: string): number => (keys.includes(key) ? keys.indexOf(key) : keys.length);
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => rank(a) - rank(b))) as T;
}

/**
 * The documents as one YAML file (`---` between them). Lists and maps whose items are all plain
 * values are written on one line (`operations: [Get, Search]`, `apiKey: { env: X }`), the rest in
 * block style; no line is folded. Any value goes, so that a test can write an invalid manifest too.
 */
export function toYaml(...documents: unknown[]): string {
  return documents.map(documentYaml).join('---\n');
}

function documentYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
    Map(_, node) {
      if (node.items.every((pair) => isScalar(pair.value))) node.flow = true;
    },
  });
  // Maps padded and lists not, as people write them: `{ env: X }`, `[dev, test]`.
  return doc
    .toString({ lineWidth: 0 })
    .split('\n')
    .map((line) => line.replace(/^(\s*(?:- )?[\w-]+: )\[ ([^[\]'"{}]*) \]$/, '$1[$2]'))
    .join('\n');
}
