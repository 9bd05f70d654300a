import { describe, expect, it } from 'vitest';
import { applyUnits } from '../../controller/core/apply-units.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { plan } from '../../controller/core/plan.ts';
import { connection, desired, integration, observed, policy } from './builders.ts';

const ids = (units: PlanAction[][]): string[][] => units.map((unit) => unit.map((action) => action.id.replace(/@.*$/, '')));
const notBreaking = () => ({ breaking: false, summary: [] });

describe('applyUnits', () => {
  it.each([
    {
      title: 'a plan without a dependency update: every action alone',
      before: observed({ integrations: [integration('crm', 'old')] }),
      after: desired({ integrations: [integration('crm', 'new'), integration('erp')], connections: [connection('crm')] }),
      units: [['connection:crm:none->crm-fp'], ['publish:crm:sha256:6f6c64->sha256:6e6577'], ['publish:erp:none->sha256:657270']],
    },
    {
      title: 'a major update: it and the republishes it forces are one unit, where the update stands',
      before: observed({ dependencies: { 'integration-utils': '2.4.0' }, integrations: [integration('crm', 'old'), integration('erp', 'old-erp')] }),
      after: desired({
        dependencies: { 'integration-utils': '3.0.0' },
        integrations: [integration('crm', 'new', { requires: { 'integration-utils': '^3.0.0' } }), integration('erp', 'new-erp', { requires: { 'integration-utils': '^3.0.0' } }), integration('new')],
        connections: [connection('crm')],
      }),
      units: [
        ['dependency:integration-utils:2.4.0->3.0.0', 'publish:crm:sha256:6f6c64->sha256:6e6577', 'publish:erp:sha256:6f6c64->sha256:6e6577'],
        ['connection:crm:none->crm-fp'],
        ['publish:new:none->sha256:6e6577'],
      ],
    },
    {
      title: 'an update within the range: the update alone, and nothing forced',
      before: observed({ dependencies: { 'integration-utils': '2.4.0' }, integrations: [integration('crm')] }),
      after: desired({ dependencies: { 'integration-utils': '2.5.0' }, integrations: [integration('crm')] }),
      units: [['dependency:integration-utils:2.4.0->2.5.0']],
    },
  ])('$title', ({ before, after, units }) => {
    const planned = plan(after, before, policy(), notBreaking);
    const grouped = applyUnits(planned.actions);
    expect(ids(grouped).map((unit) => unit.map((id) => id.replace(/(sha256:[0-9a-f]{6})[0-9a-f]+/g, '$1')))).toEqual(units);
    // Every action is in exactly one unit, and unit by unit the apply follows the plan's order.
    expect(grouped.flat()).toEqual(planned.actions);
  });
});
