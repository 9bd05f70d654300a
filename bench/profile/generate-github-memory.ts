import { createHash } from 'node:crypto';
import { buildArtifact, renderArtifactFiles } from '../../controller/artifact/build-artifact.ts';
import { GITHUB_INTEGRATION, GITHUB_SPEC_PATH, githubSpecBytes } from '../support/github-description.ts';

/**
 * Generations of GitHub's REST API description (@octokit/openapi) in a fresh process, one after
 * another: for each, its wall and CPU time (process.cpuUsage) and the peak RSS of the process so
 * far; then a digest of the last artifact's files, to compare the bytes before and after a change.
 * The first line is the figure of a fresh process; the later ones what a long-lived one reaches.
 *
 *   npx tsx bench/profile/generate-github-memory.ts [RUNS]
 */
const runs = Number(process.argv[2] ?? 1);
const peakMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ peakRssMiBBefore: peakMiB() })}\n`);
let files: Record<string, string> | undefined;
for (let run = 1; run <= runs; run++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await buildArtifact({ integration: GITHUB_INTEGRATION, specBytes: githubSpecBytes, specPath: GITHUB_SPEC_PATH });
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // Before the files are rendered: the figure is generation's own, as the bench's is.
  const peak = peakMiB();
  if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
  const line = { run, actions: result.value.catalog.actions.length, wallS: +(wall / 1000).toFixed(2), cpuS: +((used.user + used.system) / 1e6).toFixed(2), peakRssMiB: peak };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (run === runs) files = renderArtifactFiles(result.value);
}
const digest = createHash('sha256');
for (const name of Object.keys(files ?? {}).sort()) digest.update(name).update('\0').update(files![name]!).update('\0');
process.stdout.write(`${JSON.stringify({ files: `sha256:${digest.digest('hex')}` })}\n`);
