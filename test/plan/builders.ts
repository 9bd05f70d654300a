import type { ConnectionRecord, ObservedState, PublishedIntegration } from '../../controller/core/environment-state.ts';
import type { BreakingCheck, DesiredState, PlanPolicy } from '../../controller/core/plan.ts';

export const hash = (seed: string): string => `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;

export function integration(name: string, seed = name, extra: Partial<PublishedIntegration> = {}): PublishedIntegration {
  return {
    name,
    version: '1.0.0',
    artifactHash: hash(seed),
    system: 'openapi',
    catalog: { actions: [`Get${name}`] },
    requires: { 'integration-utils': '^2.0.0' },
    connection: 'crm',
    commit: 'a'.repeat(40),
    ...extra,
  };
}

export function connection(name: string, fingerprint = `${name}-fp`): ConnectionRecord {
  return { name, system: 'openapi', authType: 'none', parameters: { endpoint: 'https://x.example.com' }, secrets: {}, fingerprint };
}

export function observed(parts: Partial<ObservedState> = {}): ObservedState {
  return {
    environment: 'dev',
    dependencies: {},
    integrations: [],
    connections: [],
    logHead: 0,
    lastApplied: { integrations: {}, connections: {} },
    ...parts,
  };
}

export function desired(parts: Partial<DesiredState> = {}): DesiredState {
  return { environment: 'dev', dependencies: {}, integrations: [], connections: [], ...parts };
}

export const policy = (parts: Partial<PlanPolicy> = {}): PlanPolicy => ({ prune: false, selfHeal: false, allowBreaking: true, ...parts });

/** Breaking when an action the old catalog had is gone. */
export const removedActions: BreakingCheck = (_name, before, after) => {
  const old = (before as { actions: string[] }).actions;
  const now = new Set((after as { actions: string[] }).actions);
  const gone = old.filter((a) => !now.has(a));
  return { breaking: gone.length > 0, summary: gone.map((a) => `removed action ${a}`) };
};
