// Measures generation fidelity over every document and writes docs/fidelity.md; with --baseline,
// also test/generation/fidelity-baseline.json. Run with `npm run fidelity [-- --baseline]`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBaseline, type FidelityBaseline } from './fidelity-baseline.ts';
import { fidelityDocuments } from './fidelity-documents.ts';
import { measureFidelity, type FidelityFindings } from './measure-fidelity.ts';
import { renderFidelityReport } from './render-fidelity-report.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const findings: FidelityFindings[] = [];
for (const document of fidelityDocuments()) {
  const { artifact: _artifact, ...found } = await measureFidelity(document);
  findings.push(found);
  console.log(`measured ${document.name}`);
}
writeFileSync(join(root, 'docs', 'fidelity.md'), renderFidelityReport(findings));
console.log('wrote docs/fidelity.md');
if (process.argv.includes('--baseline')) {
  const baseline: FidelityBaseline = {};
  for (const f of findings) baseline[f.document] = f.counts;
  writeBaseline(baseline);
  console.log('wrote test/generation/fidelity-baseline.json');
}
