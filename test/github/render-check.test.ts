/**
 * renderCheck: conclusion, title, status, summary and annotations of one environment's check run.
 * The inputs are built as the controller builds them (plan actions with their ids and reasons,
 * catalog changes, gate decisions); the expectations are written out, not computed by the renderer.
 *
 * The last test keeps docs/check-run-summary.md in step with the renderer; regenerate it with
 * `UPDATE_DOCS=1 npx vitest run test/github/render-check.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionChanges } from '../../controller/core/connection-changes.ts';
import type { CatalogChange } from '../../controller/artifact/diff-catalogs.ts';
import type { Plan } from '../../controller/core/plan.ts';
import type { Problem } from '../../controller/core/problem.ts';
import type { ConnectionRecord, PublishedIntegration } from '../../controller/core/environment-state.ts';
import type { DependencyName } from '../../controller/core/dependencies.ts';
import type { PlanAction, PublishReason } from '../../controller/core/plan-action.ts';
import type { ApprovalSummary, EnvironmentCheck, RenderedCheck } from '../../controller/reporting/github/check-report.ts';
import { renderCheck } from '../../controller/reporting/github/render-check.ts';
import { headline } from '../../controller/reporting/github/render-summary.ts';

// ---------------------------------------------------------------------------------------------
// Builders: plan actions, plans and checks as the controller makes them.

const HEAD = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const PLAN_ID = '41.3f9c2a7b1d0e';

function integration(name: string, extra: Partial<PublishedIntegration> = {}): PublishedIntegration {
  return {
    name,
    version: '1.4.0',
    artifactHash: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    system: 'odata',
    catalog: { entities: [{ name: 'A_SalesOrder' }], actions: [{ name: 'GetSalesOrder' }, { name: 'SearchSalesOrders' }, { name: 'CreateSalesOrder' }] },
    requires: { 'integration-utils': '^2.4.0' },
    connection: 'sap-s4',
    commit: HEAD,
    ...extra,
  };
}

function publish(name: string, reason: PublishReason = 'Changed', options: { breaking?: boolean; forcedBy?: DependencyName[] } = {}): PlanAction {
  return {
    id: `publish:${name}:sha256:old->sha256:new@${PLAN_ID}`,
    type: 'Publish',
    integration: integration(name),
    reason,
    breaking: options.breaking ?? false,
    ...(options.forcedBy ? { forcedBy: options.forcedBy } : {}),
  };
}

const dependency = (name: DependencyName, from: string | undefined, to: string): PlanAction => ({
  id: `dependency:${name}:${from ?? 'none'}->${to}@${PLAN_ID}`,
  type: 'UpdateDependency',
  name,
  ...(from ? { from } : {}),
  to,
  reason: 'Pinned',
});

/** Secret material that must never reach the output: in a sealed value, a reference, fingerprints, the endpoint's user info. */
const PLANTED = 'Tr0ub4dor-SECRET';

function sapConnection(name = 'sap-s4'): ConnectionRecord {
  return {
    name,
    system: 'odata',
    authType: 'basic',
    parameters: { endpoint: `https://INTEGRATION:${PLANTED}-param@s4.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV`, username: 'INTEGRATION' },
    secrets: { password: { sealed: `AgB3k${PLANTED}-sealed==` }, apiKey: { env: `${PLANTED}_VARIABLE` }, clientKey: { file: `/run/${PLANTED}/key.pem` } },
    fingerprint: `hmac-sha256:${PLANTED}-fingerprint`,
  };
}

const upsert = (connection: ConnectionRecord, reason: 'New' | 'Changed' | 'Drifted' = 'Changed'): PlanAction => ({
  id: `connection:${connection.name}:hmac-sha256:${PLANTED}-old->${connection.fingerprint}@${PLAN_ID}`,
  type: 'UpsertConnection',
  connection,
  reason,
});
const unpublish = (name: string): PlanAction => ({ id: `unpublish:${name}:sha256:old@${PLAN_ID}`, type: 'Unpublish', name, reason: 'Pruned' });
const deleteConnection = (name: string): PlanAction => ({ id: `delete-connection:${name}:hmac-sha256:${PLANTED}@${PLAN_ID}`, type: 'DeleteConnection', name, reason: 'Pruned' });

function planOf(actions: PlanAction[], parts: Partial<Plan> = {}): Plan {
  return { environment: 'prod', basedOn: 41, id: PLAN_ID, actions, notices: [], breakingChanges: {}, ...parts };
}

function check(parts: Partial<EnvironmentCheck> = {}): EnvironmentCheck {
  return {
    environment: 'prod',
    event: 'pull_request',
    commit: HEAD,
    pullRequest: 42,
    problems: [],
    outcome: { kind: 'Applied', applied: 0, drifted: [] },
    interfaceChanges: {},
    ...parts,
  };
}

const approvals = (counted: string[], ignored: string[] = []): ApprovalSummary => ({ required: 2, counted, ignored, approvers: [], pullRequest: 42 });

const change = (severity: CatalogChange['severity'], kind: CatalogChange['kind'], subject: string, message: string, path?: string): CatalogChange => ({
  severity,
  kind,
  subject,
  message,
  ...(path ? { path } : {}),
});

const problem = (file: string, line: number, column: number, parts: Partial<Problem> = {}): Problem => ({
  file,
  line,
  column,
  severity: 'error',
  reason: 'SchemaViolation',
  message: 'must be one of Get, Search, Count, Create, Update, Delete',
  ...parts,
});

const SALES_BREAKING = change('breaking', 'InputBecameRequired', 'CreateSalesOrder', 'CreateSalesOrder: input SoldToParty became required', 'input.SoldToParty');
const SALES_ADDED = change('compatible', 'ActionAdded', 'ReleaseSalesOrder', 'action ReleaseSalesOrder was added');

const breakingPlan = (blocked: boolean): Plan =>
  planOf([publish('sales-orders', 'Changed', { breaking: true }), publish('crm-contacts', 'New')], {
    breakingChanges: { 'sales-orders': ['input SoldToParty became required'] },
    ...(blocked ? { blocked: { reason: 'BreakingChangeRefused', message: 'policy.allowBreaking is false and the plan breaks callers: sales-orders: input SoldToParty became required' } } : {}),
  });

const forcedPlan = planOf([
  dependency('integration-utils', '2.3.1', '3.0.0'),
  dependency('secret-manager', '1.2.0', '1.3.0'),
  publish('purchase-orders', 'ForcedByDependency', { forcedBy: ['integration-utils'] }),
  publish('sales-orders', 'ForcedByDependency', { forcedBy: ['integration-utils'] }),
]);

const HOSTILE = '<img src=x onerror=alert(1)>';
const hostilePlan = planOf([publish(HOSTILE), publish('a|b'), unpublish('[click](javascript:alert(1))')], {
  notices: [{ type: 'Drifted', kind: 'Integration', name: '**bold**', message: 'changed | outside\nGit <script>' }],
});

// ---------------------------------------------------------------------------------------------

interface Expected {
  conclusion: RenderedCheck['conclusion'];
  title: string;
  state: RenderedCheck['status']['state'];
  contains: string[];
  absent?: string[];
}

const cases: Array<[string, EnvironmentCheck, Expected]> = [
  [
    'a clean plan succeeds',
    check({ plan: planOf([publish('sales-orders')]), decision: { allowed: true, reason: 'Allowed' } }),
    { conclusion: 'success', title: '1 to publish', state: 'success', contains: ['| 1 | publish | sales-orders | changed | version 1.4.0, 3 actions |  |', '**Risk:** no breaking changes'] },
  ],
  [
    'an empty plan says no changes',
    check({ plan: planOf([]), decision: { allowed: true, reason: 'NothingToDo' } }),
    { conclusion: 'success', title: 'No changes', state: 'success', contains: ['### ✅ intctl/prod: No changes'], absent: ['#### Plan'] },
  ],
  [
    'an environment the pull request does not touch says so',
    check({ outcome: { kind: 'Applied', applied: 0, drifted: [] }, unaffected: true }),
    { conclusion: 'success', title: 'No changes', state: 'success', contains: ['changes no manifest or specification that environment **prod** uses'], absent: ['#### Plan', 'planned at'] },
  ],
  [
    'an environment the pull request adds is not planned',
    check({ newEnvironment: true }),
    { conclusion: 'neutral', title: 'New environment: planned once it is on the tracked branch', state: 'success', contains: ['adds environment **prod**', 'never from a pull request'], absent: ['#### Plan'] },
  ],
  [
    'an apply on the tracked branch says what it applied and where',
    check({ event: 'push', plan: planOf([publish('sales-orders'), publish('crm-contacts', 'New')]), outcome: { kind: 'Applied', applied: 2, drifted: [] } }),
    { conclusion: 'success', title: 'Applied 2 actions at 1a2b3c4', state: 'success', contains: ['Environment **prod** at `1a2b3c4` on the tracked branch.'] },
  ],
  [
    'validation errors fail the check',
    check({
      outcome: { kind: 'ValidationFailed', message: '2 problems in the manifests' },
      problems: [
        problem('integrations/sales-orders.yaml', 12, 9, { field: 'spec.entities[0].operations[2]', object: { kind: 'Integration', name: 'sales-orders' } }),
        problem('connections/sap.yaml', 7, 5, { severity: 'warning', reason: 'DanglingReference', message: 'environment qa is not defined' }),
      ],
    }),
    {
      conclusion: 'failure',
      title: 'Validation failed: 1 error, 1 warning',
      state: 'failure',
      contains: ['#### Problems in the manifests (1 error, 1 warning)', '- **error** integrations/sales-orders.yaml:12:9 `SchemaViolation` spec.entities\\[0\\].operations\\[2\\]: must be one of Get, Search, Count, Create, Update, Delete (Integration sales-orders)'],
    },
  ],
  [
    'an apply that failed is an error of the controller, not of the commit',
    check({ event: 'push', outcome: { kind: 'ApplyFailed', reason: 'EnvironmentUnavailable', message: 'connect ECONNREFUSED', retry: 'transient' } }),
    { conclusion: 'failure', title: 'Apply failed (EnvironmentUnavailable): connect ECONNREFUSED', state: 'error', contains: ['> **ApplyFailed (EnvironmentUnavailable).** connect ECONNREFUSED'] },
  ],
  [
    'a breaking change that policy refuses needs action',
    check({ plan: breakingPlan(true), decision: { allowed: false, reason: 'BreakingChangeRefused', message: 'refused' }, interfaceChanges: { 'sales-orders': [SALES_BREAKING, SALES_ADDED] } }),
    {
      conclusion: 'action_required',
      title: '2 to publish, 1 breaking; breaking change refused by policy',
      state: 'failure',
      contains: ['#### ⚠️ Breaking changes (refused: policy.allowBreaking is false)', '  - CreateSalesOrder: input SoldToParty became required (`InputBecameRequired`)', '| 1 | publish | sales-orders | changed | version 1.4.0, 3 actions | **breaking** |'],
    },
  ],
  [
    'a refused breaking change on the tracked branch names the integration',
    check({ event: 'push', plan: breakingPlan(true), outcome: { kind: 'Blocked', reason: 'BreakingChangeRefused', message: 'refused' } }),
    { conclusion: 'action_required', title: 'Breaking change refused: breaks callers of sales-orders; policy.allowBreaking is false', state: 'failure', contains: ['  - input SoldToParty became required'] },
  ],
  [
    'awaiting approval needs action and shows the approvals',
    check({
      plan: planOf([publish('sales-orders'), publish('crm-contacts'), publish('purchase-orders', 'Changed', { breaking: true })]),
      outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 2 approving reviews; has 1', pending: 3 },
      approvals: approvals(['alice'], ['bob (stale: approved 1a2b3c4, head is 5d6e7f8)']),
    }),
    {
      conclusion: 'action_required',
      title: '3 to publish, 1 breaking; needs 2 approvals (has 1)',
      state: 'pending',
      contains: ['#### Approvals', '⏳ 1 of 2 required approving reviews on pull request #42; approvers: any reviewer but the author.', '- Counted: alice', '- Ignored: bob (stale: approved 1a2b3c4, head is 5d6e7f8)'],
    },
  ],
  [
    'awaiting approval on the tracked branch',
    check({ event: 'push', plan: planOf([publish('sales-orders')]), outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 2 approving reviews; has 0', pending: 1 }, approvals: approvals([]) }),
    { conclusion: 'action_required', title: 'Awaiting approval: needs 2 approving reviews, has 0', state: 'pending', contains: ['- Counted: none'] },
  ],
  [
    'a manual environment needs action',
    check({ event: 'push', plan: planOf([publish('sales-orders')]), outcome: { kind: 'Waiting', reason: 'ManualApplyRequired', message: 'policy.autoApply is false: run intctl apply to apply this plan', pending: 1 } }),
    { conclusion: 'action_required', title: 'Manual apply required: policy.autoApply is false: run intctl apply to apply this plan', state: 'pending', contains: ['> **ManualApplyRequired.**'] },
  ],
  [
    'awaiting promotion is neutral and says what it waits for',
    check({ event: 'push', plan: planOf([publish('sales-orders')]), outcome: { kind: 'Waiting', reason: 'AwaitingPromotion', message: 'waits until environment test is Ready at the same commit', pending: 1 } }),
    { conclusion: 'neutral', title: 'Awaiting promotion: waits until environment test is Ready at the same commit', state: 'pending', contains: ['### ⏳ intctl/prod: Awaiting promotion'] },
  ],
  [
    'awaiting promotion on a pull request',
    check({ plan: planOf([publish('sales-orders')]), decision: { allowed: false, reason: 'AwaitingPromotion', message: 'waits until environment test is Ready at the same commit' } }),
    { conclusion: 'neutral', title: '1 to publish; waits until environment test is Ready at the same commit', state: 'pending', contains: [] },
  ],
  [
    'a held lease is neutral',
    check({ event: 'push', outcome: { kind: 'LeaseHeld', message: 'controller-1 holds the lease until 12:00' } }),
    { conclusion: 'neutral', title: 'Lease held: controller-1 holds the lease until 12:00', state: 'pending', contains: [] },
  ],
  [
    'a dependency update lists the integrations it forces',
    check({ plan: forcedPlan }),
    {
      conclusion: 'success',
      title: '2 dependency updates, 2 to publish',
      state: 'success',
      contains: [
        '- **integration-utils** 2.3.1 → 3.0.0: forces republishing 2 integrations: purchase-orders, sales-orders',
        '- **secret-manager** 1.2.0 → 1.3.0: forces no republish (every published artifact accepts it)',
        '| 3 | publish | purchase-orders | forced by integration-utils | version 1.4.0, 3 actions | forced |',
        '2 republishes forced by dependency updates',
      ],
    },
  ],
  [
    'a prune is flagged destructive',
    check({ plan: planOf([unpublish('legacy-orders'), deleteConnection('legacy-crm')]) }),
    {
      conclusion: 'success',
      title: '1 to unpublish, 1 connection to delete',
      state: 'success',
      contains: ['| 1 | unpublish | legacy-orders | pruned |  | **destructive** |', '| 2 | delete connection | legacy-crm | pruned |  | **destructive** |', '🗑️ 2 destructive prunes', '- **legacy-crm**: deleted (pruned); **destructive**'],
      absent: [PLANTED],
    },
  ],
  [
    'a connection change shows its secret fields and no secret material',
    check({ plan: planOf([upsert(sapConnection())]) }),
    {
      conclusion: 'success',
      title: '1 connection change',
      state: 'success',
      contains: ['- **sap-s4** (basic auth): changed in Git; secret fields apiKey (variable), clientKey (file), password (sealed)', '| 1 | upsert connection | sap-s4 | changed | basic auth | secrets |'],
      absent: [PLANTED, 's4.example.com', 'AgB3k'],
    },
  ],
  [
    'a connection moved to another host shows old and new, without user info or query, and says where credentials go',
    check({
      plan: planOf([upsert({ ...sapConnection(), parameters: { endpoint: `https://s4.other.example/sap?sig=${PLANTED}-query` } })], {
        connectionChanges: {
          'sap-s4': connectionChanges(sapConnection(), { ...sapConnection(), authType: 'oauth2ClientCredentials', parameters: { endpoint: `https://s4.other.example/sap?sig=${PLANTED}-query` } }),
        },
      }),
    }),
    {
      conclusion: 'success',
      title: '1 connection change',
      state: 'success',
      contains: [
        '🔀 1 connection sending its credentials to another host',
        '  - endpoint ~ `https://s4.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV` → https://s4.other.example/sap?…: ⚠️ its credentials will be sent to another host',
        '  - auth type ~ `basic` → `oauth2ClientCredentials`',
      ],
      absent: [PLANTED, 'INTEGRATION:'],
    },
  ],
  [
    'a new integration shows how many actions it publishes, and their names',
    check({ plan: planOf([publish('github', 'New')]) }),
    {
      conclusion: 'success',
      title: '1 to publish',
      state: 'success',
      contains: ['| 1 | publish | github | new | version 1.4.0, 3 actions |  |', '<details><summary>github: publishes 3 actions, 1 entity</summary>', 'CreateSalesOrder, GetSalesOrder, SearchSalesOrders'],
    },
  ],
  [
    'hostile names and messages render as text',
    check({ plan: hostilePlan }),
    {
      conclusion: 'success',
      title: '2 to publish, 1 to unpublish',
      state: 'success',
      contains: ['| 1 | publish | &lt;img src=x onerror=alert(1)&gt; |', '| 2 | publish | a\\|b |', '| 3 | unpublish | \\[click\\](javascript:alert(1)) |', '**\\*\\*bold\\*\\***: changed \\| outside Git &lt;script&gt;'],
      absent: ['<img', '<script', '[click]', '**bold**'],
    },
  ],
];

describe('renderCheck', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    const rendered = renderCheck(input);
    expect({ conclusion: rendered.conclusion, title: rendered.title, state: rendered.status.state }).toEqual({ conclusion: expected.conclusion, title: expected.title, state: expected.state });
    expect(rendered.name).toBe('intctl/prod');
    expect(rendered.status.description).toBe(expected.title.length <= 140 ? expected.title : `${expected.title.slice(0, 139)}…`);
    expect(rendered.summary.split('\n')[0]).toBe(headline(input, rendered.conclusion, rendered.title));
    for (const text of expected.contains) expect(rendered.summary).toContain(text);
    const everything = JSON.stringify(rendered);
    for (const text of expected.absent ?? []) expect(everything).not.toContain(text);
  });

  it.each([
    ['the breaking changes', breakingPlan(true), ['#### ⚠️ Breaking changes', '#### Plan: 2 actions', '#### Interface changes']],
    ['the dependency updates after the table', forcedPlan, ['#### Plan: 4 actions', '#### Dependency updates']],
  ])('puts %s in reading order', (_name, plan, headings) => {
    const { summary } = renderCheck(check({ plan, interfaceChanges: { 'sales-orders': [SALES_BREAKING, SALES_ADDED] } }));
    const at = headings.map((h) => summary.indexOf(h));
    expect(at.every((i) => i > 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('lists every interface change in a collapsed block, breaking first', () => {
    const { summary } = renderCheck(check({ plan: breakingPlan(false), interfaceChanges: { 'sales-orders': [SALES_ADDED, SALES_BREAKING] } }));
    const section = summary.slice(summary.indexOf('#### Interface changes'));
    const block = section.slice(section.indexOf('<details>'), section.indexOf('</details>') + '</details>'.length);
    expect(block).toEqual(
      [
        '<details><summary>sales-orders: 1 breaking, 1 compatible</summary>',
        '',
        '- ⚠️ CreateSalesOrder: input SoldToParty became required (`InputBecameRequired`)',
        '- action ReleaseSalesOrder was added (`ActionAdded`)',
        '',
        '</details>',
      ].join('\n'),
    );
  });

  it('escapes an integration name inside the HTML of a collapsed block', () => {
    const { summary } = renderCheck(check({ plan: planOf([publish(HOSTILE)]), interfaceChanges: { [HOSTILE]: [SALES_ADDED] } }));
    expect(summary).toContain('<details><summary>&lt;img src=x onerror=alert(1)&gt;: 1 compatible</summary>');
  });

  it('annotates each problem on its file and line, sorted, with columns and GitHub limits', () => {
    const long = 'x'.repeat(300);
    const rendered = renderCheck(
      check({
        outcome: { kind: 'ValidationFailed', message: 'problems' },
        problems: [
          problem('integrations/sales-orders.yaml', 30, 3, { field: long, reason: 'UnknownEntity', message: 'entity A_SalesOrdr is not in the specification; did you mean A_SalesOrder?' }),
          problem('environments/prod.yaml', 4, 11, { severity: 'warning', reason: 'PlainSecretRefused', message: 'plain secrets are refused in prod' }),
          problem('integrations/sales-orders.yaml', 12, 9, { field: 'spec.entities[0].operations[2]' }),
          problem('', 0, 0, { reason: 'PromotionCycle', message: 'prod promotes from itself' }),
        ],
      }),
    );
    expect(rendered.annotations).toEqual([
      { path: 'environments/prod.yaml', start_line: 4, end_line: 4, start_column: 11, end_column: 11, annotation_level: 'warning', title: 'PlainSecretRefused', message: 'plain secrets are refused in prod' },
      {
        path: 'integrations/sales-orders.yaml',
        start_line: 12,
        end_line: 12,
        start_column: 9,
        end_column: 9,
        annotation_level: 'failure',
        title: 'spec.entities[0].operations[2]',
        message: 'must be one of Get, Search, Count, Create, Update, Delete',
      },
      {
        path: 'integrations/sales-orders.yaml',
        start_line: 30,
        end_line: 30,
        start_column: 3,
        end_column: 3,
        annotation_level: 'failure',
        title: `${'x'.repeat(254)}…`,
        message: 'entity A_SalesOrdr is not in the specification; did you mean A_SalesOrder?',
      },
    ]);
    expect(rendered.conclusion).toBe('failure');
    expect(rendered.summary).toContain('- **error** (no file) `PromotionCycle` prod promotes from itself');
  });

  it('keeps an annotation message within 64 KB', () => {
    const [annotation] = renderCheck(check({ problems: [problem('a.yaml', 1, 1, { message: 'é'.repeat(40_000) })] })).annotations;
    expect(Buffer.byteLength(annotation!.message, 'utf8')).toBeLessThanOrEqual(65_536);
    expect(annotation!.message.endsWith('…')).toBe(true);
  });

  it('fails on an error even when the outcome is waiting', () => {
    const rendered = renderCheck(check({ problems: [problem('a.yaml', 1, 1)], outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'm', pending: 1 } }));
    expect([rendered.conclusion, rendered.title]).toEqual(['failure', 'Validation failed: 1 error']);
  });

  it('cuts a long commit status description to 140 characters', () => {
    const rendered = renderCheck(check({ event: 'push', outcome: { kind: 'GenerationFailed', message: `specification specs/orders.edmx: ${'bad '.repeat(80)}` } }));
    expect(rendered.status.description.length).toBe(140);
    expect(rendered.status.description.endsWith('…')).toBe(true);
    expect(rendered.status.state).toBe('failure');
  });
});

describe('renderCheck summary size', () => {
  const bigPlan = (n: number): Plan => {
    const actions: PlanAction[] = [dependency('integration-utils', '2.3.1', '3.0.0')];
    for (let i = 1; i < n; i++) actions.push(publish(`integration-${String(i).padStart(5, '0')}`, i % 3 === 0 ? 'ForcedByDependency' : 'Changed', { breaking: i === 7, forcedBy: i % 3 === 0 ? ['integration-utils'] : undefined }));
    return { ...planOf(actions), breakingChanges: { 'integration-00007': ['action GetOrder was removed'] } };
  };

  it('cuts a 10,000-action plan to 65,535 characters, headline and breaking changes first, with a marker', () => {
    const input = check({ plan: bigPlan(10_000), interfaceChanges: { 'integration-00007': [change('breaking', 'ActionRemoved', 'GetOrder', 'action GetOrder was removed')] } });
    const { summary, conclusion, title } = renderCheck(input);
    expect(summary.length).toBeLessThanOrEqual(65_535);
    expect(summary.startsWith(headline(input, conclusion, title))).toBe(true);
    expect(summary.indexOf('#### ⚠️ Breaking changes')).toBeLessThan(summary.indexOf('#### Plan: 10,000 actions'));
    const shown = summary.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length;
    const marker = /\n\n\*\*… summary truncated:\*\* ([\d,]+) more lines \(([\d,]+) actions, 1 interface change not shown\)\. Run `intctl plan --env prod` for the whole plan\.$/.exec(summary);
    expect(marker).not.toBeNull();
    expect(Number(marker![2]!.replace(/,/g, ''))).toBe(10_000 - shown);
    expect(shown).toBeGreaterThan(100);
  });

  it('closes a collapsed block it cuts through', () => {
    const changes = Array.from({ length: 2000 }, (_, i) => change('compatible', 'ActionAdded', `Action${i}`, `action Action${i} was added`));
    const { summary } = renderCheck(check({ plan: planOf([publish('sales-orders')]), interfaceChanges: { 'sales-orders': changes } }), { maxSummaryChars: 10_000 });
    expect(summary.length).toBeLessThanOrEqual(10_000);
    expect(summary).toMatch(/\n\n<\/details>\n\n\*\*… summary truncated:\*\* [\d,]+ more lines \([\d,]+ interface changes not shown\)/);
  });

  it('never exceeds the limit and always starts with the headline, whatever the plan', () => {
    const name = fc.oneof(fc.constantFrom('sales-orders', HOSTILE, 'a|b', 'x'.repeat(300)), fc.string({ maxLength: 40 }));
    const spec = fc.record({
      size: fc.integer({ min: 0, max: 3000 }),
      names: fc.array(name, { minLength: 1, maxLength: 5 }),
      maxSummaryChars: fc.oneof(fc.constant(65_535), fc.integer({ min: 1_000, max: 65_535 })),
      changes: fc.integer({ min: 0, max: 400 }),
      event: fc.constantFrom<EnvironmentCheck['event']>('pull_request', 'push'),
    });
    fc.assert(
      fc.property(spec, ({ size, names, maxSummaryChars, changes, event }) => {
        const actions: PlanAction[] = [];
        for (let i = 0; i < size; i++) {
          const n = `${names[i % names.length]}-${i}`;
          actions.push(i % 5 === 4 ? unpublish(n) : publish(n, i % 2 ? 'ForcedByDependency' : 'New', { breaking: i % 7 === 0, forcedBy: ['integration-utils'] }));
        }
        const first = names[0]!;
        const input = check({
          event,
          plan: planOf(actions, { breakingChanges: size > 0 ? { [`${first}-0`]: [`removed ${first}`] } : {} }),
          interfaceChanges: { [first]: Array.from({ length: changes }, (_, i) => change(i % 2 ? 'breaking' : 'compatible', 'ActionAdded', first, `action ${first}${i} was added`)) },
        });
        const rendered = renderCheck(input, { maxSummaryChars });
        expect(rendered.summary.length).toBeLessThanOrEqual(maxSummaryChars);
        expect(rendered.summary.split('\n')[0]).toBe(headline(input, rendered.conclusion, rendered.title));
      }),
      // A draw that found an integration named like a member of every object (toString) read as breaking changes.
      { numRuns: 60, examples: [[{ size: 0, names: ['toString', 'sales-orders'], maxSummaryChars: 1000, changes: 0, event: 'pull_request' }]] },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// docs/check-run-summary.md: an example, rendered here and compared with the committed page.

const DOC = new URL('../../docs/check-run-summary.md', import.meta.url);

function examplePullRequest(): EnvironmentCheck {
  const sap = sapConnection();
  const connection: ConnectionRecord = { ...sap, secrets: { password: { sealed: 'AgB3k…' } }, parameters: { endpoint: 'https://s4.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV', username: 'INTEGRATION' }, fingerprint: 'hmac-sha256:…' };
  return check({
    plan: planOf(
      [
        dependency('integration-utils', '2.4.0', '3.0.0'),
        upsert(connection, 'Changed'),
        publish('purchase-orders', 'ForcedByDependency', { forcedBy: ['integration-utils'] }),
        publish('sales-orders', 'Changed', { breaking: true }),
        publish('sharepoint-documents', 'ForcedByDependency', { forcedBy: ['integration-utils'] }),
        publish('supplier-invoices', 'New'),
      ],
      {
        breakingChanges: { 'sales-orders': ['CreateSalesOrder: input SoldToParty became required'] },
        connectionChanges: {
          'sap-s4': [{ field: 'endpoint', from: 'https://s4-old.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV', to: 'https://s4.example.com/sap/opu/odata/sap/API_SALES_ORDER_SRV' }],
        },
        notices: [{ type: 'NotPruned', kind: 'Integration', name: 'legacy-orders', message: 'no longer in Git; stays published because policy.prune is false' }],
      },
    ),
    decision: { allowed: false, reason: 'AwaitingApproval', message: 'needs 2 approving reviews; has 1' },
    outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 2 approving reviews; has 1', pending: 6 },
    approvals: approvals(['alice'], ['bob (stale: approved 5d6e7f8, head is 1a2b3c4)']),
    interfaceChanges: {
      'sales-orders': [SALES_ADDED, SALES_BREAKING, change('compatible', 'OutputFieldAdded', 'GetSalesOrder', 'GetSalesOrder: output field output.TransactionCurrency was added', 'output.TransactionCurrency')],
      'purchase-orders': [change('compatible', 'InputAdded', 'SearchPurchaseOrders', 'SearchPurchaseOrders: optional input filter.Supplier was added', 'input.filter.Supplier')],
    },
  });
}

function exampleValidationError(): EnvironmentCheck {
  return check({
    environment: 'dev',
    pullRequest: 43,
    outcome: { kind: 'ValidationFailed', message: '1 problem in the manifests' },
    problems: [
      problem('integrations/sales-orders.yaml', 14, 9, {
        reason: 'UnknownEntity',
        field: 'spec.entities[0].name',
        message: 'entity A_SalesOrdr is not in specs/API_SALES_ORDER_SRV.edmx; did you mean A_SalesOrder?',
        object: { kind: 'Integration', name: 'sales-orders' },
      }),
    ],
  });
}

function exampleDoc(): string {
  const pr = renderCheck(examplePullRequest());
  const invalid = renderCheck(exampleValidationError());
  return [
    '# Check-run summary: an example',
    '',
    '<!-- Generated by renderCheck (controller/reporting/github/render-check.ts); do not edit by hand. -->',
    '',
    'This page is generated by `renderCheck` (`controller/reporting/github/render-check.ts`) from the example',
    'inputs in `test/github/render-check.test.ts`, and a test fails when it is out of date. Regenerate it with:',
    '',
    '```sh',
    'UPDATE_DOCS=1 npx vitest run test/github/render-check.test.ts',
    '```',
    '',
    'The example is pull request #42 seen by environment `prod`: a dependency update forces two',
    'republishes, one integration has a breaking interface change (prod allows breaking changes with',
    'two approvals here), one approval of two counts, a connection moves to another host, and a new',
    'integration shows what it will publish.',
    '',
    '## The check run',
    '',
    '```text',
    `name:       ${pr.name}`,
    `conclusion: ${pr.conclusion}`,
    `title:      ${pr.title}`,
    `status:     ${pr.status.state}: ${pr.status.description}`,
    '```',
    '',
    '## Its summary, as it appears on the pull request',
    '',
    '<!-- summary begins -->',
    '',
    pr.summary,
    '',
    '<!-- summary ends -->',
    '',
    '## A pull request with a validation error',
    '',
    '```text',
    `name:       ${invalid.name}`,
    `conclusion: ${invalid.conclusion}`,
    `title:      ${invalid.title}`,
    '```',
    '',
    'Its annotation, as sent to the Checks API (in batches of at most 50):',
    '',
    '```json',
    JSON.stringify(invalid.annotations[0], null, 2),
    '```',
    '',
  ].join('\n');
}

describe('docs/check-run-summary.md', () => {
  it('is what renderCheck renders for the example', () => {
    const doc = exampleDoc();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, doc);
    expect(readFileSync(DOC, 'utf8')).toBe(doc);
  });
});
