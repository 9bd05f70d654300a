import { totalCounts } from './fidelity-baseline.ts';
import type { ExampleCounts, FidelityCounts, FidelityFindings } from './measure-fidelity.ts';

/** How many items of each failing list the report shows per document. */
const SHOWN = 15;

const INTRODUCTION = `# Generation fidelity

How faithfully \`generate\` turns real OpenAPI documents into actions that can be called. This page
is written by \`npm run fidelity\` (test/support/fidelity/write-fidelity-report.ts); do not edit
it by hand.

## What is measured

Every JSON document of \`@readme/oas-examples\` (Swagger 2.0, OpenAPI 3.0 and 3.1) and GitHub's
REST API description (\`@octokit/openapi\`, \`generated/api.github.com.json\`) is generated as the
product generates it (\`buildArtifact\`, an \`openapi\` integration that selects everything), and the
catalog is compared with the document:

- **operations**: every method of every path item of the document (get, put, post, delete,
  options, head, patch, trace).
- **actions**: actions in the catalog. An action belongs to the operation its \`source\` names.
- **without action**: operations no action comes from (listed below per document).
- **duplicate names**: action names held by more than one action.
- **request examples**: each \`example\` and each \`examples\` entry of a JSON media type of an
  operation's request body, validated against the part of the action's input the runtime sends as
  the body (\`request.body.from\`). *accepted* / *refused*; *no action* when the operation has no
  action. An action that sends no body refuses every request example.
- **response examples**: the same for every 2xx response, shaped as the runtime shapes an answer
  (\`shapeOutput\`: a Search's list, a Count's number) and validated against the action's output.
- **schemas**: actions whose input and output schemas both compile with the runtime's own Ajv
  (\`createCatalogAjv\`, every definition of the catalog beside them, as the runtime compiles
  them), and those where one does not. One faulty definition fails every action of its catalog,
  as it does at the first call of any action.

Media types other than JSON (XML, forms, files) are not measured.

## How to run it

- \`npm run fidelity\` measures every document and rewrites this page.
- \`npm run fidelity -- --baseline\` also rewrites \`test/generation/fidelity-baseline.json\`, the
  floors and ceilings \`test/generation/fidelity.test.ts\` holds generation to (run it after a fix
  that improves the counts, and commit both files).
- \`npx vitest run test/generation/fidelity.test.ts\` measures again and fails on any count worse than
  the baseline: fewer actions or accepted examples or compiling schemas, more operations without
  an action, duplicate names or failing schemas.
- \`npx vitest run test/generation/fidelity-live.test.ts\` calls actions through the runtime against
  Prism (\`prism mock --errors\`) serving the documents themselves; its \`KNOWN_FAILING\` list says
  which action classes fail today, and why.
`;

/** docs/fidelity.md: what is measured, how to run it, the counts per document and in total, and what fails. */
export function renderFidelityReport(findings: readonly FidelityFindings[]): string {
  const total = totalCounts(findings.map((f) => f.counts));
  const lines = [INTRODUCTION, '## Counts', ''];
  lines.push(
    `${total.documents} documents, ${total.documentsGenerated} generated; ${total.operations} operations, ${total.actions} actions, ` +
      `${total.operationsWithoutAction} operations without an action, ${total.duplicateActionNames} duplicate names; request examples ` +
      `${describeExamples(total.requestExamples)}; response examples ${describeExamples(total.responseExamples)}; ` +
      `${total.schemas.fail} of ${total.schemas.compile + total.schemas.fail} actions with schemas that do not compile.`,
    '',
    '| document | generated | operations | actions | without action | duplicate names | request examples accepted / refused / no action | response examples accepted / refused / no action | schemas compile / fail |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const f of findings) lines.push(row(`\`${f.document}\``, f.counts));
  lines.push(row('**total**', total), '', '## What fails, per document', '');
  for (const f of findings) lines.push(...details(f));
  return `${lines.join('\n').trimEnd()}\n`;
}

function row(name: string, c: FidelityCounts): string {
  const examples = (e: ExampleCounts): string => `${e.accepted} / ${e.refused} / ${e.withoutAction}`;
  return `| ${name} | ${c.generated ? 'yes' : '**no**'} | ${c.operations} | ${c.actions} | ${c.operationsWithoutAction} | ${c.duplicateActionNames} | ${examples(c.requestExamples)} | ${examples(c.responseExamples)} | ${c.schemas.compile} / ${c.schemas.fail} |`;
}

function details(f: FidelityFindings): string[] {
  const sections: string[] = [];
  const add = (title: string, items: string[]): void => {
    if (items.length === 0) return;
    sections.push(`- ${title} (${items.length}):`);
    for (const item of items.slice(0, SHOWN)) sections.push(`  - ${item}`);
    if (items.length > SHOWN) sections.push(`  - … and ${items.length - SHOWN} more`);
  };
  add('refused by the generator', f.refused.map(code));
  if (f.counts.generated) add('operations without an action', f.withoutAction.map(code));
  add('duplicate action names', f.duplicates.map(code));
  add('request examples refused', f.requestRefusals.map((r) => `${r.action}: \`${r.example}\`: ${r.why}`));
  add('response examples refused', f.responseRefusals.map((r) => `${r.action}: \`${r.example}\`: ${r.why}`));
  add('actions whose schemas do not compile', f.compileFailures.map((c) => `${c.action}: ${c.why}`));
  return sections.length === 0 ? [] : [`### \`${f.document}\``, '', ...sections, ''];
}

function describeExamples(e: ExampleCounts): string {
  return `${e.accepted} accepted, ${e.refused} refused, ${e.withoutAction} without an action`;
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}
