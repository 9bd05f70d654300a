import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FidelityDocument } from './measure-fidelity.ts';

const require = createRequire(import.meta.url);

function packageRoot(name: string): string {
  return join(require.resolve(`${name}/package.json`), '..');
}

/** GitHub's REST API description, as @octokit/openapi publishes it. */
export const GITHUB_DOCUMENT: FidelityDocument = {
  name: '@octokit/openapi/generated/api.github.com.json',
  file: join(packageRoot('@octokit/openapi'), 'generated', 'api.github.com.json'),
  bytes: () => readFileSync(join(packageRoot('@octokit/openapi'), 'generated', 'api.github.com.json')),
};

/** A document of @readme/oas-examples by its path in the package (`3.0/json/petstore.json`). */
export function oasExample(path: string): FidelityDocument {
  const file = join(packageRoot('@readme/oas-examples'), path);
  return { name: `@readme/oas-examples/${path}`, file, bytes: () => readFileSync(file) };
}

/** Every JSON document of @readme/oas-examples: Swagger 2.0, OpenAPI 3.0 and 3.1, in path order. */
export function oasExamples(): FidelityDocument[] {
  const root = packageRoot('@readme/oas-examples');
  return ['2.0/json', '3.0/json', '3.1/json'].flatMap((dir) =>
    readdirSync(join(root, dir)).filter((f) => f.endsWith('.json')).sort().map((f) => oasExample(`${dir}/${f}`)),
  );
}

/** Every document the fidelity measurement covers: GitHub's description first, then the examples. */
export function fidelityDocuments(): FidelityDocument[] {
  return [GITHUB_DOCUMENT, ...oasExamples()];
}
