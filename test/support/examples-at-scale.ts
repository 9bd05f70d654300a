import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Integration } from '../../controller/generated/manifests.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** The example integrations, by the name of their file in examples/integrations. */
export const EXAMPLE_INTEGRATIONS = ['crm', 'dataverse-accounts', 'sales-orders'] as const;
export type ExampleIntegration = (typeof EXAMPLE_INTEGRATIONS)[number];

export interface ScaleShape {
  integrations: number;
  teams: number;
  /** The example integrations the copies rotate over (all three when left out). */
  rotate?: readonly ExampleIntegration[];
  /**
   * Each copy gets a specification of its own (the example's, with its own title), as teams that
   * each integrate a different service do: nothing can be shared between them.
   */
  distinctSpecs?: boolean;
}

/** The file and name of the n-th integration of a repository of this shape. */
export function integrationAt(shape: ScaleShape, n: number): { file: string; name: string; example: ExampleIntegration } {
  const rotate = shape.rotate ?? EXAMPLE_INTEGRATIONS;
  const example = rotate[n % rotate.length]!;
  const team = `team-${String(n % shape.teams).padStart(2, '0')}`;
  const name = `${example}-${String(n).padStart(5, '0')}`;
  return { file: join('integrations', team, `${name}.yaml`), name, example };
}

/**
 * A repository shaped like examples/ at scale: the examples' specifications, connections and
 * three environments, and `integrations` copies of the example integrations (rotating over
 * `rotate`), each under its team's folder with its own name and team label. Copies of one example
 * share its specification and selection, as teams that integrate one system do.
 */
export async function writeExamplesAtScale(root: string, shape: ScaleShape): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (const dir of ['specs', 'connections', 'environments']) await cp(join(EXAMPLES, dir), join(root, dir), { recursive: true });
  const examples = new Map<string, Integration>();
  for (const file of EXAMPLE_INTEGRATIONS) examples.set(file, parse(await readFile(join(EXAMPLES, 'integrations', `${file}.yaml`), 'utf8')) as Integration);
  for (let n = 0; n < shape.integrations; n++) {
    const at = integrationAt(shape, n);
    const example = examples.get(at.example)!;
    const team = at.file.split('/')[1]!;
    let spec = example.spec;
    if (shape.distinctSpecs && spec.source.path !== undefined) {
      const path = `specs/distinct/${at.name}${extname(spec.source.path)}`;
      await mkdir(join(root, 'specs', 'distinct'), { recursive: true });
      await writeFile(join(root, path), await ownSpecification(join(EXAMPLES, spec.source.path), at.name));
      spec = { ...spec, source: { ...spec.source, path } };
    }
    const manifest = { ...example, metadata: { name: at.name, labels: { ...example.metadata.labels, team } }, spec };
    await mkdir(join(root, 'integrations', team), { recursive: true });
    await writeFile(join(root, at.file), stringify(manifest));
  }
}

const specifications = new Map<string, string>();

/** The example's specification with a title of its own: another document, to every cache. */
async function ownSpecification(path: string, name: string): Promise<string> {
  let text = specifications.get(path);
  if (text === undefined) specifications.set(path, (text = await readFile(path, 'utf8')));
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return text.replace(/^( {2}title: )(.*)$/m, `$1$2 (${name})`);
  return text.replace(/<edmx:Edmx /, `<!-- ${name} -->\n<edmx:Edmx `);
}
