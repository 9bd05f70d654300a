import { describe, expect, it } from 'vitest';
import { integrationFromRow, sharedRowValues, type IntegrationRow } from '../../controller/environments/store/rows.ts';

const row = (name: string, requires: string, commit = 'c'.repeat(40)): Omit<IntegrationRow, 'catalog'> => ({
  name,
  version: 'v1',
  artifact_hash: `sha256:${name}`,
  system: 'odata',
  requires,
  connection: 'backend',
  commit_sha: commit,
  published_at: '2026-12-03T00:00:00.000Z',
});

describe('rows of one read', () => {
  it('give the same values with shared values as without, requirements parsed once per distinct text', () => {
    const shared = sharedRowValues();
    const texts = ['{"integration-utils":"^2.0.0"}', '{"integration-utils":"^2.0.0"}', '{"integration-utils":"^3.0.0"}'];
    const catalogs = (name: string, hash: string) => JSON.stringify({ of: name, hash });
    const withShared = texts.map((text, i) => integrationFromRow(row(`i-${i}`, text), catalogs, shared));
    const without = texts.map((text, i) => integrationFromRow(row(`i-${i}`, text), catalogs));
    expect(withShared).toEqual(without);
    expect(withShared[0]!.requires).toBe(withShared[1]!.requires);
    expect(withShared[2]!.requires).toEqual({ 'integration-utils': '^3.0.0' });
  });

  it('reads a catalog when first asked for, once, whatever the getter keeps', () => {
    const asked: string[] = [];
    const integration = integrationFromRow(row('i-1', '{}'), (name, hash) => {
      asked.push(`${name}@${hash}`);
      return '{"entities":[]}';
    }, sharedRowValues());
    expect(asked).toEqual([]);
    expect(integration.catalog).toEqual({ entities: [] });
    expect(integration.catalog).toBe(integration.catalog);
    expect(asked).toEqual(['i-1@sha256:i-1']);
  });

  it('past its bound keeps no more values, and still gives each row its own', () => {
    const shared = sharedRowValues(2);
    const values = ['{"a":"1"}', '{"a":"2"}', '{"a":"3"}', '{"a":"3"}'].map((text) => shared.requires(text));
    expect(values).toEqual([{ a: '1' }, { a: '2' }, { a: '3' }, { a: '3' }]);
    expect(values[2]).not.toBe(values[3]);
    expect(['x', 'y', 'z'].map((text) => shared.text(text))).toEqual(['x', 'y', 'z']);
  });
});
