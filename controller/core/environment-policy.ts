import type { Environment, EnvironmentPolicy } from '../generated/manifests.ts';
import { manifestSchemas } from '../generated/schemas.ts';

/** An environment's policy with every field set: what the manifest says, else the CRD's default. */
export type ResolvedPolicy = Required<Omit<EnvironmentPolicy, 'approvers'>> & { approvers: readonly string[] };

type PolicyField = keyof ResolvedPolicy;
const FIELDS: readonly PolicyField[] = ['autoApply', 'requiredApprovals', 'approvers', 'allowBreaking', 'prune', 'maxPruneShare', 'selfHeal', 'plainSecrets'];

/**
 * The defaults of `spec.policy`, read from the Environment CRD (through the schemas generated from
 * it), so they are declared once. `approvers` has none in the CRD: left out means any reviewer.
 */
export const POLICY_DEFAULTS: Readonly<ResolvedPolicy> = Object.freeze(defaultsFromCrd());

/** The policy an environment runs with. Pure. */
export function environmentPolicy(environment: Pick<Environment, 'spec'>): ResolvedPolicy {
  const given = environment.spec.policy ?? {};
  return {
    autoApply: given.autoApply ?? POLICY_DEFAULTS.autoApply,
    requiredApprovals: given.requiredApprovals ?? POLICY_DEFAULTS.requiredApprovals,
    approvers: given.approvers ?? POLICY_DEFAULTS.approvers,
    allowBreaking: given.allowBreaking ?? POLICY_DEFAULTS.allowBreaking,
    prune: given.prune ?? POLICY_DEFAULTS.prune,
    maxPruneShare: given.maxPruneShare ?? POLICY_DEFAULTS.maxPruneShare,
    selfHeal: given.selfHeal ?? POLICY_DEFAULTS.selfHeal,
    plainSecrets: given.plainSecrets ?? POLICY_DEFAULTS.plainSecrets,
  };
}

function defaultsFromCrd(): ResolvedPolicy {
  const properties = manifestSchemas.Environment.properties.spec.properties.policy.properties as Record<string, { default?: unknown }>;
  const out: Record<string, unknown> = { approvers: [] };
  for (const field of FIELDS) {
    if (field === 'approvers') continue;
    const value = properties[field]?.default;
    // A CRD without a default for a policy field is a mistake in crds/, caught when this module loads.
    if (value === undefined) throw new Error(`crds/: the Environment CRD declares no default for spec.policy.${field}`);
    out[field] = value;
  }
  return out as ResolvedPolicy;
}
