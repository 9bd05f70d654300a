import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The layer rule's findings for one import planted in a file at `path`. */
async function layerErrors(path: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { planted } from '${specifier}';\nexport const used = planted;\n`, { filePath: path });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layers of controller/, as the lint configuration keeps them', () => {
  it.each([
    ['core importing an environment driver', 'controller/core/planted.ts', '../environments/driver.ts'],
    ['core importing the loader', 'controller/core/planted.ts', '../load/load-manifests.ts'],
    ['a generator importing the process', 'controller/generators/openapi/planted.ts', '../../process/controller.ts'],
    ['a driver importing the environment server', 'controller/environments/http/planted.ts', '../../environment-server/start-environment-server.ts'],
    ['a reporter importing the CLI', 'controller/reporting/github/planted.ts', '../../cli/io.ts'],
    ['the process importing the CLI', 'controller/process/planted.ts', '../cli/main.ts'],
    ['a reconciler importing the server', 'controller/reconcilers/environment/planted.ts', '../../server/build-server.ts'],
    ['a notification provider importing the process', 'controller/notifications/providers/slack/planted.ts', '../../../process/backoff.ts'],
  ])('refuses %s', async (_name, path, specifier) => {
    const errors = await layerErrors(path, specifier);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/may import only .* \(the layers in eslint\.config\.js\)/);
  });

  it('refuses a command opening a driver other than through openEnvironment', async () => {
    const [result] = await eslint.lintText(`import { openDriver } from '../../environments/open-driver.ts';\nexport const used = openDriver;\n`, { filePath: 'controller/cli/commands/planted.ts' });
    expect(result!.messages.map((m) => m.message)).toEqual([expect.stringContaining('a command opens an environment with openEnvironment (cli/workspace.ts)')]);
    expect(await layerErrors('controller/cli/commands/planted.ts', '../../environments/driver.ts')).toEqual([]);
  });

  it.each([
    ['core importing core', 'controller/core/planted.ts', './plan.ts'],
    ['core importing the generated types', 'controller/core/planted.ts', '../generated/manifests.ts'],
    ['a reconciler importing a driver', 'controller/reconcilers/environment/planted.ts', '../../environments/driver.ts'],
    ['the CLI importing the process', 'controller/cli/commands/planted.ts', '../../process/start-controller.ts'],
    ['a driver importing its own folder', 'controller/environments/http/planted.ts', '../driver.ts'],
  ])('allows %s', async (_name, path, specifier) => {
    expect(await layerErrors(path, specifier)).toEqual([]);
  });
});
