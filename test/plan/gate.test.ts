import { describe, expect, it } from 'vitest';
import { gate, type GateInput } from '../../controller/core/gate.ts';
import type { Plan } from '../../controller/core/plan.ts';

const work: Plan = { environment: 'prod', basedOn: 0, id: '0.x', actions: [{ id: 'x', type: 'Unpublish', name: 'a', reason: 'Pruned' }], notices: [], breakingChanges: {} };
const input = (parts: Partial<GateInput> = {}): GateInput => ({
  plan: work,
  policy: { autoApply: true, requiredApprovals: 0, approvers: [] },
  trigger: 'automatic',
  approvals: [],
  ...parts,
});

describe('gate', () => {
  it.each([
    ['an empty plan always passes', input({ plan: { ...work, actions: [] }, policy: { autoApply: false, requiredApprovals: 2, approvers: [] } }), 'NothingToDo'],
    ['a plain plan passes', input(), 'Allowed'],
    ['a blocked plan is refused first', input({ plan: { ...work, blocked: { reason: 'BreakingChangeRefused', message: 'm' } }, approvals: [] , policy: { autoApply: true, requiredApprovals: 2, approvers: [] } }), 'BreakingChangeRefused'],
    ['waits for the environment it promotes from', input({ promotion: { from: 'test', ready: false } }), 'AwaitingPromotion'],
    ['promotes once that one is ready', input({ promotion: { from: 'test', ready: true } }), 'Allowed'],
    ['waits for approvals', input({ policy: { autoApply: true, requiredApprovals: 2, approvers: [] }, approvals: ['ana'] }), 'AwaitingApproval'],
    ['counts one approval per user', input({ policy: { autoApply: true, requiredApprovals: 2, approvers: [] }, approvals: ['ana', 'Ana'] }), 'AwaitingApproval'],
    ['applies with enough approvals', input({ policy: { autoApply: true, requiredApprovals: 2, approvers: [] }, approvals: ['ana', 'bo'] }), 'Allowed'],
    ['counts only listed approvers', input({ policy: { autoApply: true, requiredApprovals: 2, approvers: ['ana', 'cy'] }, approvals: ['ana', 'bo'] }), 'AwaitingApproval'],
    ['leaves a manual environment to a person', input({ policy: { autoApply: false, requiredApprovals: 0, approvers: [] } }), 'ManualApplyRequired'],
    ['lets a person apply a manual environment', input({ policy: { autoApply: false, requiredApprovals: 0, approvers: [] }, trigger: 'manual' }), 'Allowed'],
  ])('%s', (_name, gateInput, reason) => {
    expect(gate(gateInput).reason).toBe(reason);
  });

  it('says how many approvals are missing and from whom', () => {
    expect(gate(input({ policy: { autoApply: true, requiredApprovals: 2, approvers: ['ana', 'cy'] }, approvals: ['ana'] }))).toEqual({
      allowed: false,
      reason: 'AwaitingApproval',
      message: 'needs 2 approving reviews from ana, cy; has 1',
    });
  });
});
