import { describe, expect, it } from 'vitest';
import { fieldName, formatProblem, sortProblems, type Problem } from '../../controller/core/problem.ts';
import { checkSpecPath } from '../../controller/validate/validate-references.ts';
import { normalizeRepoPath } from '../../controller/core/repo-path.ts';
import { parseSize } from '../../controller/cli/options.ts';

describe('normalizeRepoPath', () => {
  it.each([
    ['specs/crm.yaml', 'specs/crm.yaml'],
    ['./specs//crm.yaml', 'specs/crm.yaml'],
    ['specs/old/../crm.yaml', 'specs/crm.yaml'],
    ['../crm.yaml', undefined],
    ['specs/../../crm.yaml', undefined],
    ['/etc/passwd', undefined],
    ['C:/specs/crm.yaml', undefined],
    ['specs\\crm.yaml', undefined],
    ['.', undefined],
    ['specs/crm\0.yaml', undefined],
    ['https://s4.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV/$metadata', undefined],
    ['http://127.0.0.1:4004/odata/v4/catalog/$metadata', undefined],
    ['specs/http:/crm.yaml', 'specs/http:/crm.yaml'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeRepoPath(input)).toBe(expected);
  });
});

describe('checkSpecPath', () => {
  const found = new Map([
    ['specs/crm.yaml', 'file' as const],
    ['specs', 'directory' as const],
    ['specs/link.yaml', 'outside' as const],
  ]);
  it.each([
    ['specs/crm.yaml', undefined],
    ['specs/missing.yaml', 'PathNotFound'],
    ['specs', 'PathNotFound'],
    ['specs/link.yaml', 'PathOutsideRepository'],
    ['../specs/crm.yaml', 'PathOutsideRepository'],
  ])('%s gives %s', (path, reason) => {
    expect(checkSpecPath(path, found)?.reason).toBe(reason);
  });
});

describe('fieldName', () => {
  it.each([
    [['spec', 'entities', 0, 'operations', 2], 'spec.entities[0].operations[2]'],
    [['spec', 'environments', 'dev-eu', 'password'], 'spec.environments.dev-eu.password'],
    [['metadata', 'labels', 'app.kubernetes.io/name'], 'metadata.labels["app.kubernetes.io/name"]'],
    [[], ''],
  ])('%j -> %s', (path, expected) => {
    expect(fieldName(path)).toBe(expected);
  });
});

describe('formatProblem', () => {
  const problem: Problem = {
    file: 'integrations/crm.yaml',
    line: 12,
    column: 7,
    severity: 'error',
    reason: 'SchemaViolation',
    field: 'spec.entities[0].operations[2]',
    message: 'must be one of Get, Search, Count, Create, Update, Delete',
    object: { kind: 'Integration', name: 'crm' },
  };
  it('writes the compiler-style line', () => {
    expect(formatProblem(problem)).toBe(
      'integrations/crm.yaml:12:7: error: spec.entities[0].operations[2] must be one of Get, Search, Count, Create, Update, Delete (Integration crm)',
    );
  });
  it('leaves out the field and object when a problem has none', () => {
    expect(formatProblem({ file: 'a.yaml', line: 1, column: 1, severity: 'error', reason: 'NotUtf8', message: 'file is not valid UTF-8' })).toBe(
      'a.yaml:1:1: error: file is not valid UTF-8',
    );
  });
  it('sorts by file, then line, then column', () => {
    const at = (file: string, line: number, column: number): Problem => ({ ...problem, file, line, column });
    expect(sortProblems([at('b.yaml', 1, 1), at('a.yaml', 9, 1), at('a.yaml', 2, 5), at('a.yaml', 2, 1)])).toEqual([
      at('a.yaml', 2, 1),
      at('a.yaml', 2, 5),
      at('a.yaml', 9, 1),
      at('b.yaml', 1, 1),
    ]);
  });
});

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['2KiB', 2048],
    ['1MiB', 1048576],
    ['1 mb', 1000000],
  ])('%s -> %d bytes', (input, bytes) => {
    expect(parseSize(input, '--max-file-size')).toBe(bytes);
  });
  it.each(['', '0', '-1', '1.5MiB', '1TB', 'lots'])('refuses %j', (input) => {
    expect(() => parseSize(input, '--max-file-size')).toThrow(/--max-file-size must be a positive size/);
  });
});
