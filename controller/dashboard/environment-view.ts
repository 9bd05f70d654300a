import type { EnvironmentStatus } from '../core/environment-status.ts';
import { describeAction } from '../core/describe-action.ts';
import type { GateDecision } from '../core/gate.ts';
import type { PlanNotice } from '../core/plan.ts';
import type { EnvironmentPolicy } from '../generated/manifests.ts';
import { actionRow, formatPlan } from '../reporting/format-plan.ts';
import type { DashboardStore } from './dashboard-store.ts';

/** One status commit of the environment on the status branch. */
export interface HistoryEntry {
  /** The status commit. */
  commit: string;
  at: string;
  message: string;
  /** Where the commit can be seen (GitHub), when the controller knows. */
  url?: string;
  /** The check runs of the source commit it reports on, when the controller reports to GitHub. */
  checksUrl?: string;
}

export interface PlanView {
  commit?: string;
  /** `applied`: the last plan went through and nothing waits; `pending`: it waits at the gate or failed. */
  state: 'applied' | 'pending';
  /** The plan as the CLI and the demo print it. */
  text: string;
  /** Breaking first, then in the plan's order. */
  actions: Array<{ verb: string; target: string; reason: string; detail: string; breaking: boolean; destructive: boolean; forcedBy?: string[] }>;
  breakingChanges: Record<string, string[]>;
  notices: PlanNotice[];
  blocked?: { reason: string; message: string };
}

export interface EnvironmentView {
  name: string;
  spec?: { driver: string; description?: string; promotesFrom?: string; policy: EnvironmentPolicy; dependencies: Record<string, string> };
  /** As GET /api/v1/status gives it. */
  status?: Omit<EnvironmentStatus, 'environment'> & { name: string };
  plan?: PlanView;
  gate?: GateDecision;
  approvals: { required: number; given: string[] };
  problems: string[];
  history: HistoryEntry[];
}

/**
 * The Environment page: what it is, its status, the pending plan rendered as the CLI and checks
 * render it (breaking changes first), the gate with the approvals needed and given, and the
 * history of its status commits. Undefined for an environment nobody knows.
 */
export function environmentViewOf(store: DashboardStore, name: string, history: HistoryEntry[]): EnvironmentView | undefined {
  const record = store.environment(name);
  const status = store.statuses().find((s) => s.environment === name);
  const object = record?.object ?? store.manifests()?.set.environments.find((e) => e.manifest.metadata.name === name);
  if (!record && !status && !object) return undefined;
  const spec = object?.manifest.spec;
  const plan = record?.plan;
  return {
    name,
    // Only what says how it behaves: never its token or address.
    ...(spec
      ? {
          spec: {
            driver: spec.driver,
            ...(spec.description ? { description: spec.description } : {}),
            ...(spec.promotesFrom ? { promotesFrom: spec.promotesFrom } : {}),
            policy: { ...(spec.policy ?? {}) },
            dependencies: { ...(spec.dependencies ?? {}) } as Record<string, string>,
          },
        }
      : {}),
    ...(status ? { status: statusOf(status) } : {}),
    ...(plan && record
      ? {
          plan: {
            ...(record.commit ? { commit: record.commit } : {}),
            state: record.applied ? 'applied' : 'pending',
            text: formatPlan(plan, record.commit),
            actions: [...plan.actions]
              .sort((a, b) => Number(describeAction(b).breaking) - Number(describeAction(a).breaking))
              .map((action) => {
                const d = describeAction(action);
                const [verb, target, reason, detail] = actionRow(action);
                return { verb, target, reason, detail, breaking: d.breaking, destructive: d.destructive, ...(action.type === 'Publish' && action.forcedBy ? { forcedBy: action.forcedBy } : {}) };
              }),
            breakingChanges: plan.breakingChanges,
            notices: plan.notices,
            ...(plan.blocked ? { blocked: plan.blocked } : {}),
          } satisfies PlanView,
        }
      : {}),
    ...(record?.decision ? { gate: record.decision } : {}),
    approvals: { required: spec?.policy?.requiredApprovals ?? 0, given: record?.approvals ?? [] },
    problems: record?.problems ?? [],
    history,
  };
}

function statusOf({ environment, ...rest }: EnvironmentStatus): Omit<EnvironmentStatus, 'environment'> & { name: string } {
  return { name: environment, ...rest };
}
