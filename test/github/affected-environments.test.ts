import { describe, expect, it } from 'vitest';
import type { LoadedObject, ManifestSet } from '../../controller/core/manifest.ts';
import type { Problem } from '../../controller/core/problem.ts';
import { affectedEnvironments } from '../../controller/reconcilers/pull-request/affected-environments.ts';
import type { Connection, Environment, Integration } from '../../controller/generated/manifests.ts';

const at = () => ({ line: 1, column: 1, offset: 0 });
function object<M>(file: string, manifest: M): LoadedObject<M & Integration> {
  return { manifest, file, locate: at, locateKey: at } as unknown as LoadedObject<M & Integration>;
}
const environment = (name: string) => object(`environments/${name}.yaml`, { kind: 'Environment', metadata: { name }, spec: { driver: 'embedded' } }) as unknown as LoadedObject<Environment>;
const set: ManifestSet = {
  environments: [environment('dev'), environment('test'), environment('prod')],
  integrations: [
    object('integrations/crm.yaml', { kind: 'Integration', metadata: { name: 'crm' }, spec: { system: 'openapi', source: { path: 'specs/crm.yaml' }, connection: 'crm', environments: ['dev', 'test'] } }),
    object('integrations/orders.yaml', { kind: 'Integration', metadata: { name: 'orders' }, spec: { system: 'odata', source: { path: './specs/orders.edmx' }, connection: 'sap', environments: ['prod'] } }),
  ],
  connections: [object('connections/sap.yaml', { kind: 'Connection', metadata: { name: 'sap' }, spec: { system: 'odata', auth: { type: 'basic' }, environments: { prod: {}, test: {} } } }) as unknown as LoadedObject<Connection>],
};
const present = new Set(['integrations/crm.yaml', 'integrations/orders.yaml', 'connections/sap.yaml', 'specs/crm.yaml', 'specs/orders.edmx', 'README.md', '.github/workflows/ci.yaml']);
const problem = (file: string, object?: { kind: string; name: string }): Problem => ({ file, line: 3, column: 5, severity: 'error', reason: 'SchemaViolation', message: 'bad', ...(object ? { object } : {}) });

describe('affectedEnvironments', () => {
  it.each<[string, string[], Problem[], string[]]>([
    ['an integration names its environments', ['integrations/crm.yaml'], [], ['dev', 'test']],
    ['a specification names the environments of the integrations generated from it', ['specs/orders.edmx'], [], ['prod']],
    ['a connection names the environments it is defined for', ['connections/sap.yaml'], [], ['prod', 'test']],
    ['an environment names itself', ['environments/prod.yaml'], [], ['prod']],
    ['a file of no manifest affects none', ['README.md', '.github/workflows/ci.yaml'], [], []],
    ['a removed manifest may have named any environment', ['integrations/gone.yaml'], [], ['dev', 'prod', 'test']],
    ['a manifest that no longer parses affects every environment', ['integrations/crm.yaml'], [problem('integrations/crm.yaml')], ['dev', 'prod', 'test']],
    ['a problem of an object outside the change concerns its environments', ['README.md'], [problem('integrations/orders.yaml', { kind: 'Integration', name: 'orders' })], ['prod']],
  ])('%s', (_name, changed, problems, expected) => {
    const affected = affectedEnvironments(set, changed, problems, ['dev', 'test', 'prod'], (path) => present.has(path) || path.startsWith('environments/'));
    expect(affected.environments).toEqual(expected);
  });

  it('shows each environment the problems of its objects and those of no object', () => {
    const ofOrders = problem('integrations/orders.yaml', { kind: 'Integration', name: 'orders' });
    const ofNone = problem('integrations/broken.yaml');
    const affected = affectedEnvironments(set, [], [ofOrders, ofNone], ['dev', 'test', 'prod'], () => true);
    expect(affected.problemsFor('prod')).toEqual([ofOrders, ofNone]);
    expect(affected.problemsFor('dev')).toEqual([ofNone]);
  });
});
