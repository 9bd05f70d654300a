import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of controller/: what each top-level folder may import besides itself. Lower layers
 * never import higher ones; core stays pure (only core and the generated types); plugins
 * (generators, environment drivers, reporters) never import the process, CLI or server layers;
 * nothing imports cli/. docs/architecture.md draws the same picture.
 */
const BASE = ['core', 'generated'];
export const LAYERS = {
  generated: [],
  core: ['generated'],
  config: BASE,
  secrets: BASE,
  crds: BASE,
  observability: [...BASE, 'config'],
  artifact: [...BASE, 'generators'],
  generators: BASE,
  validate: [...BASE, 'generators', 'artifact'],
  load: [...BASE, 'validate', 'generators', 'artifact'],
  source: [...BASE, 'load', 'validate', 'generators', 'artifact', 'config', 'observability'],
  environments: [...BASE, 'secrets', 'config', 'observability'],
  reporting: [...BASE, 'artifact', 'source', 'observability', 'config', 'secrets'],
  'action-runtime': [...BASE, 'artifact', 'secrets', 'environments', 'observability'],
  reconcilers: [...BASE, 'artifact', 'generators', 'validate', 'load', 'source', 'environments', 'secrets', 'reporting', 'observability', 'config'],
  server: [...BASE, 'observability', 'config', 'reporting'],
  notifications: [...BASE, 'observability', 'config'],
  dashboard: [...BASE, 'artifact', 'environments', 'reporting', 'reconcilers', 'observability', 'config', 'server'],
  'environment-server': [...BASE, 'environments', 'action-runtime', 'secrets', 'config', 'observability', 'server', 'artifact'],
  process: [...BASE, 'artifact', 'generators', 'validate', 'load', 'source', 'environments', 'secrets', 'reporting', 'observability', 'config', 'reconcilers', 'server', 'notifications', 'dashboard'],
  demo: [...BASE, 'artifact', 'generators', 'validate', 'load', 'source', 'environments', 'secrets', 'reporting', 'observability', 'config', 'reconcilers', 'process', 'dashboard'],
  scripts: [...BASE, 'crds'],
  cli: null, // the top: may import every layer; nothing imports it
};

const FOLDERS = Object.keys(LAYERS);

/** no-restricted-imports for one folder: a relative import that reaches a folder outside its layer. */
function layerRule(folder) {
  const allowed = LAYERS[folder];
  if (allowed === null) return undefined;
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`controller/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
              message: `controller/${folder}/ may import only ${[folder, ...allowed].join(', ')} (the layers in eslint.config.js)`,
            },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'controller/generated/', 'test/fixtures/', 'examples/', 'coverage/', '.scratch/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in readConfig() only.' }],
    },
  },
  { files: ['controller/config/**', 'test/**', 'bench/**', 'bin/**'], rules: { 'no-restricted-properties': 'off' } },
  {
    // The dashboard's pages: plain ES modules that run in the browser.
    files: ['controller/dashboard/ui/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'history', 'location', 'fetch', 'sessionStorage', 'URLSearchParams', 'AbortController', 'TextDecoderStream', 'PopStateEvent', 'addEventListener', 'removeEventListener', 'dispatchEvent', 'setTimeout'].map((name) => [name, 'readonly']),
      ),
    },
  },
  ...FOLDERS.map(layerRule).filter(Boolean),
  {
    // One way the CLI opens an environment: openEnvironment passes the variables a token names and checks where the store is.
    files: ['controller/cli/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/environments/open-driver\\.ts$',
              importNames: ['openDriver'],
              message: 'a command opens an environment with openEnvironment (cli/workspace.ts), which passes the variables its token names',
            },
          ],
        },
      ],
    },
  },
);
