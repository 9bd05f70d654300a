import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadedObject, ManifestSet } from '../../controller/core/manifest.ts';
import type { Problem } from '../../controller/core/problem.ts';
import type { Connection, Environment, Integration } from '../../controller/generated/manifests.ts';
import { affectedEnvironments } from '../../controller/reconcilers/pull-request/affected-environments.ts';

const at = () => ({ line: 1, column: 1 });
function object<M>(file: string, manifest: M): LoadedObject<M & Integration> {
  return { manifest, head: manifest, file, locate: at, locateKey: at } as unknown as LoadedObject<M & Integration>;
}
const environment = (name: string) => object(`environments/${name}.yaml`, { kind: 'Environment', metadata: { name }, spec: { driver: 'embedded' } }) as unknown as LoadedObject<Environment>;
const integration = (name: string, environments: string[], spec = `specs/${name}.yaml`) =>
  object(`integrations/${name}.yaml`, { kind: 'Integration', metadata: { name }, spec: { system: 'openapi', source: { path: spec }, connection: 'crm', environments } });
const connection = (name: string, environments: string[]) =>
  object(`connections/${name}.yaml`, { kind: 'Connection', metadata: { name }, spec: { system: 'odata', auth: { type: 'basic' }, environments: Object.fromEntries(environments.map((e) => [e, {}])) } }) as unknown as LoadedObject<Connection>;

const base: ManifestSet = {
  environments: [environment('dev'), environment('test'), environment('prod')],
  integrations: [integration('crm', ['dev', 'prod']), integration('orders', ['prod'], './specs/orders.edmx')],
  connections: [connection('sap', ['prod', 'test'])],
};
const present = new Set(['integrations/crm.yaml', 'integrations/orders.yaml', 'connections/sap.yaml', 'specs/crm.yaml', 'specs/orders.edmx', 'README.md', '.github/workflows/ci.yaml']);
const isPresent = (path: string) => present.has(path) || path.startsWith('environments/');
const problem = (file: string, object?: { kind: string; name: string }): Problem => ({ file, line: 3, column: 5, severity: 'error', reason: 'SchemaViolation', message: 'bad', ...(object ? { object } : {}) });
const withIntegrations = (...integrations: LoadedObject<Integration>[]): ManifestSet => ({ ...base, integrations });
const known = ['dev', 'test', 'prod'];

describe('affectedEnvironments', () => {
  it.each<[string, ManifestSet, ManifestSet | undefined, string[], Problem[], string[]]>([
    ['an integration names its environments', base, base, ['integrations/crm.yaml'], [], ['dev', 'prod']],
    ['a specification names the environments of the integrations generated from it', base, base, ['specs/orders.edmx'], [], ['prod']],
    ['a connection names the environments it is defined for', base, base, ['connections/sap.yaml'], [], ['prod', 'test']],
    ['an environment names itself', base, base, ['environments/prod.yaml'], [], ['prod']],
    ['a file of no manifest affects none', base, base, ['README.md', '.github/workflows/ci.yaml'], [], []],
    [
      'an environment removed from an integration is affected: merging may prune there',
      withIntegrations(integration('crm', ['dev']), integration('orders', ['prod'], './specs/orders.edmx')),
      base,
      ['integrations/crm.yaml'],
      [],
      ['dev', 'prod'],
    ],
    ['a manifest emptied to a comment affects what it named on the base', withIntegrations(integration('orders', ['prod'], './specs/orders.edmx')), base, ['integrations/crm.yaml'], [], ['dev', 'prod']],
    ['a removed manifest affects what it named on the base', withIntegrations(integration('orders', ['prod'], './specs/orders.edmx')), base, ['integrations/gone.yaml', 'integrations/crm.yaml'], [], ['dev', 'prod']],
    ['a removed file of no manifest affects none', base, base, ['docs/old.yaml'], [], []],
    ['a manifest that no longer parses affects every environment', base, base, ['integrations/crm.yaml'], [problem('integrations/crm.yaml')], ['dev', 'prod', 'test']],
    ['a problem of an object outside the change concerns its environments', base, base, ['README.md'], [problem('integrations/orders.yaml', { kind: 'Integration', name: 'orders' })], ['prod']],
    ['without a readable base, a changed manifest may have named any environment', base, undefined, ['integrations/crm.yaml'], [], ['dev', 'prod', 'test']],
    ['without a readable base, a file of no manifest still affects none', base, undefined, ['README.md'], [], []],
  ])('%s', (_name, head, baseSet, changed, problems, expected) => {
    const affected = affectedEnvironments({ head, base: baseSet, changed, problems, known, present: isPresent });
    expect(affected.environments).toEqual(expected);
  });

  it('shows each environment the problems of its objects and those of no object', () => {
    const ofOrders = problem('integrations/orders.yaml', { kind: 'Integration', name: 'orders' });
    const ofNone = problem('integrations/broken.yaml');
    const affected = affectedEnvironments({ head: base, base, changed: [], problems: [ofOrders, ofNone], known, present: () => true });
    expect(affected.problemsFor('prod')).toEqual([ofOrders, ofNone]);
    expect(affected.problemsFor('dev')).toEqual([ofNone]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: an environment left out of "affected" is one whose plan the merge cannot change.

/** A small repository: each file holds objects; specification files have a content version. */
interface Repo {
  files: Map<string, { kind: 'Integration' | 'Connection'; name: string; environments: string[]; spec?: string }[]>;
  specs: Map<string, number>;
}
const ENVIRONMENTS = ['dev', 'test', 'prod'];
const SPECS = ['specs/a.yaml', 'specs/b.yaml'];

const repoArbitrary: fc.Arbitrary<Repo> = fc
  .record({
    integrations: fc.array(fc.record({ file: fc.constantFrom('i1.yaml', 'i2.yaml', 'i3.yaml'), environments: fc.subarray(ENVIRONMENTS), spec: fc.constantFrom(...SPECS) }), { maxLength: 4 }),
    connections: fc.array(fc.record({ file: fc.constantFrom('c1.yaml', 'c2.yaml', 'i1.yaml'), environments: fc.subarray(ENVIRONMENTS) }), { maxLength: 3 }),
    specs: fc.tuple(fc.nat(2), fc.nat(2)),
  })
  .map(({ integrations, connections, specs }) => {
    const files: Repo['files'] = new Map();
    const add = (file: string, entry: { kind: 'Integration' | 'Connection'; name: string; environments: string[]; spec?: string }) => files.set(file, [...(files.get(file) ?? []), entry]);
    integrations.forEach((i, n) => add(i.file, { kind: 'Integration', name: `int${n}`, environments: i.environments, spec: i.spec }));
    connections.forEach((c, n) => add(c.file, { kind: 'Connection', name: `con${n}`, environments: c.environments }));
    return { files, specs: new Map(SPECS.map((s, n) => [s, specs[n]!])) };
  });

function setOf(repo: Repo): ManifestSet {
  const set: ManifestSet = { environments: ENVIRONMENTS.map(environment), integrations: [], connections: [] };
  for (const [file, entries] of repo.files) {
    for (const e of entries) {
      if (e.kind === 'Integration') set.integrations.push({ ...integration(e.name, e.environments, e.spec), file });
      else set.connections.push({ ...connection(e.name, e.environments), file });
    }
  }
  return set;
}

/** Everything that decides one environment's plan: what targets it, from which file and specification version. */
function viewOf(repo: Repo, env: string): string {
  const parts: string[] = [];
  for (const [file, entries] of repo.files) {
    for (const e of entries) {
      if (!e.environments.includes(env)) continue;
      parts.push(`${e.kind}/${e.name}@${file}${e.spec ? `:${e.spec}#${repo.specs.get(e.spec)}` : ''}`);
    }
  }
  return parts.sort().join('\n');
}

function changedFiles(before: Repo, after: Repo): string[] {
  const out = new Set<string>();
  const key = (entries: unknown) => JSON.stringify(entries);
  for (const file of new Set([...before.files.keys(), ...after.files.keys()])) if (key(before.files.get(file)) !== key(after.files.get(file))) out.add(file);
  for (const spec of SPECS) if (before.specs.get(spec) !== after.specs.get(spec)) out.add(spec);
  return [...out];
}

describe('affectedEnvironments, as a property', () => {
  it('leaves out only environments whose plan the merge cannot change, whatever the pull request adds, edits, moves or removes', () => {
    fc.assert(
      fc.property(repoArbitrary, repoArbitrary, (before, after) => {
        const changed = changedFiles(before, after);
        const present = (path: string) => after.files.has(path) || SPECS.includes(path);
        const affected = affectedEnvironments({ head: setOf(after), base: setOf(before), changed, problems: [], known: ENVIRONMENTS, present }).environments;
        for (const env of ENVIRONMENTS) {
          if (affected.includes(env)) continue;
          expect(viewOf(after, env), `${env} is not affected, yet its plan changes`).toBe(viewOf(before, env));
        }
      }),
      { numRuns: 500 },
    );
  });
});
