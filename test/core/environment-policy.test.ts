import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentPolicy, POLICY_DEFAULTS } from '../../controller/core/environment-policy.ts';

const crd = parse(readFileSync(new URL('../../crds/environments.intctl.dev.yaml', import.meta.url), 'utf8'));
const crdPolicy = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.policy.properties as Record<string, { default?: unknown }>;

describe('environmentPolicy', () => {
  it('takes every default from the Environment CRD, and none for approvers (any reviewer)', () => {
    const fromCrd = Object.fromEntries(Object.entries(crdPolicy).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, v.default]])));
    expect(POLICY_DEFAULTS).toEqual({ ...fromCrd, approvers: [] });
  });

  it.each([
    ['nothing given', undefined, POLICY_DEFAULTS],
    ['an empty policy', {}, POLICY_DEFAULTS],
    ['a protected environment', { requiredApprovals: 2, allowBreaking: false, prune: true }, { ...POLICY_DEFAULTS, requiredApprovals: 2, allowBreaking: false, prune: true }],
    ['falsy values kept', { autoApply: false, requiredApprovals: 0, approvers: [] }, { ...POLICY_DEFAULTS, autoApply: false }],
    ['approvers given', { requiredApprovals: 1, approvers: ['alice'] }, { ...POLICY_DEFAULTS, requiredApprovals: 1, approvers: ['alice'] }],
  ])('%s', (_name, policy, expected) => {
    expect(environmentPolicy({ spec: { driver: 'embedded', ...(policy ? { policy } : {}) } })).toEqual(expected);
  });
});
