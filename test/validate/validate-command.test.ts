import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function repo(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'intctl-validate-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const environment = (name: string): string => `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: ${name} }
spec: { driver: embedded, policy: { plainSecrets: true } }
`;

const connection = `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: crm }
spec:
  system: openapi
  auth: { type: none }
  environments:
    dev: { endpoint: "https://crm.example.com" }
`;

const integration = (name: string, path = 'specs/crm.json'): string => `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: ${name} }
spec:
  system: openapi
  source: { path: ${path} }
  connection: crm
  environments: [dev]
`;

describe('intctl validate', () => {
  it('ignores YAML of other tools, even when it is not valid YAML, and other kinds in the same file', async () => {
    const root = await repo({
      'env.yaml': environment('dev'),
      'connection.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: 2 }\n---\n${connection}`,
      'charts/web/templates/deployment.yaml': 'metadata:\n  name: {{ .Release.Name }}\n  {{- include "labels" . | nindent 4 }}\n',
      'integrations/crm.yaml': integration('crm'),
      'specs/crm.json': '{"openapi":"3.0.3","info":{"title":"crm","version":"1"},"paths":{"/health":{"get":{"operationId":"health","responses":{"200":{"description":"ok"}}}}}}',
      'empty.yml': '',
    });
    const run = await runCli(['validate', '--repo', root]);
    expect(run.stdout).toBe(`${root}: valid: 1 integrations, 1 connections, 1 environments\n`);
    expect(run.code).toBe(0);
  });

  it('warns, and still passes, when functions left out would publish more than 20 of them; an explicit list or [] is quiet', async () => {
    // 25 operations that are no create, read, update or delete: functions of the specification.
    const paths = Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [`/jobs/run${i}`, { post: { operationId: `runJob${String(i).padStart(2, '0')}`, responses: { '200': { description: 'ok' } } } }]),
    );
    const spec = JSON.stringify({ openapi: '3.0.3', info: { title: 'jobs', version: '1' }, paths });
    const root = await repo({
      'env.yaml': environment('dev'),
      'connection.yaml': connection,
      'integrations/all.yaml': integration('all'),
      'integrations/some.yaml': `${integration('some')}  functions: [runJob03]\n`,
      'integrations/none.yaml': `${integration('none')}  functions: []\n`,
      'specs/crm.json': spec,
    });
    const run = await runCli(['validate', '--repo', root]);
    expect(run.stdout.split('\n')).toEqual([
      'integrations/all.yaml:4:1: warning: spec.functions is left out, so all 25 functions of the specification are published as actions (runJob00, runJob01, runJob02, runJob03, runJob04, …); list the ones the integration needs, or give functions: [] for none (Integration all)',
      `${root}: valid: 3 integrations, 1 connections, 1 environments`,
      '',
    ]);
    expect(run.code).toBe(0);
  });

  it('warns, and still passes, when the specification offers nothing to call (webhooks only)', async () => {
    const webhooks = { openapi: '3.1.0', info: { title: 'hooks', version: '1' }, webhooks: { newPet: { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': { description: 'ok' } } } } } };
    const root = await repo({ 'env.yaml': environment('dev'), 'connection.yaml': connection, 'integrations/hooks.yaml': integration('hooks'), 'specs/crm.json': JSON.stringify(webhooks) });
    const run = await runCli(['validate', '--repo', root]);
    expect(run.stdout.split('\n')).toEqual([
      'integrations/hooks.yaml:6:19: warning: spec.source.path specs/crm.json describes no operation that can be called (webhooks and callbacks are not actions), so the integration publishes no action (Integration hooks)',
      `${root}: valid: 1 integrations, 1 connections, 1 environments`,
      '',
    ]);
    expect(run.code).toBe(0);
  });

  it('does not refuse a large specification document that an integration names', async () => {
    const root = await repo({
      'env.yaml': environment('dev'),
      'connection.yaml': connection,
      'integrations/crm.yaml': integration('crm', 'specs/crm.yaml'),
      'specs/crm.yaml': `openapi: 3.0.3\ninfo: { title: intctl.dev crm, version: "1" }\nx-notes: "${'x'.repeat(1_100_000)}"\npaths: {}\n`,
      'specs/unnamed.yaml': `# intctl.dev\nnotes: "${'x'.repeat(1_100_000)}"\n`,
    });
    const run = await runCli(['validate', '--repo', root]);
    expect(run.stdout.split('\n')[0]).toBe('specs/unnamed.yaml:1:1: error: file is over the limit of 1048576 bytes (--max-file-size); it was not read');
    expect(run.code).toBe(1);
  });

  it('reports every problem of many files at once', async () => {
    const root = await repo({
      'env.yaml': environment('dev'),
      'connection.yaml': connection,
      'specs/crm.json': '{}',
      'a.yaml': integration('a').replace('connection: crm', 'connection: nope'),
      'b.yaml': integration('b').replace('[dev]', '[prod]'),
      'c.yaml': integration('c').replace('system: openapi', 'system: soap'),
    });
    const run = await runCli(['validate', '--repo', root]);
    expect(run.stdout.trim().split('\n')).toEqual([
      'a.yaml:7:15: error: spec.connection connection nope does not exist (defined: crm) (Integration a)',
      'b.yaml:8:18: error: spec.environments[0] environment prod does not exist (defined: dev) (Integration b)',
      'c.yaml:5:11: error: spec.system must be one of openapi, odata, postgresql, mysql (Integration c)',
      '3 errors in 3 files',
    ]);
    expect(run.code).toBe(1);
  });

  it.each([
    [['validate', '--output', 'xml'], 'intctl: --output must be table, json or yaml (text is table), not "xml"\n(run intctl validate --help for usage)\n'],
    [['validate', '--repo', '/nonexistent/repository'], 'intctl: --repo /nonexistent/repository is not a directory\n(run intctl validate --help for usage)\n'],
    [['validate', '--max-file-size', 'huge'], 'intctl: --max-file-size must be a positive size such as 1048576, 512KiB or 1MiB, not "huge"\n(run intctl validate --help for usage)\n'],
    [['validate', '--frobnicate'], "intctl: unknown option '--frobnicate'\n(run intctl validate --help for usage)\n"],
    [['frobnicate'], "intctl: unknown command 'frobnicate'\n(run intctl --help for usage)\n"],
  ])('exits 64 on a usage error: %j', async (args, stderr) => {
    expect(await runCli(args)).toEqual({ code: 64, stdout: '', stderr });
  });

  it('validates a repository of 10,000 integrations and finds the one broken among them', async () => {
    const files: Record<string, string> = {
      'env.yaml': environment('dev'),
      'connection.yaml': connection,
      'specs/crm.json': '{}',
    };
    for (let i = 0; i < 10_000; i++) files[`integrations/${String(i).padStart(5, '0')}.yaml`] = integration(`crm-${i}`);
    files['integrations/07777.yaml'] = integration('crm-7777').replace('[dev]', '[dev, qa]');
    const root = await repo(files);
    const run = await runCli(['validate', '--repo', root, '-o', 'json']);
    const result = JSON.parse(run.stdout);
    expect(result.counts).toEqual({ integrations: 10_000, connections: 1, environments: 1 });
    expect(result.problems.map((p: { file: string; field: string }) => `${p.file} ${p.field}`)).toEqual(['integrations/07777.yaml spec.environments[1]']);
    expect(run.code).toBe(1);
  });

  it('keeps what each file made in the cache directory, as plan does, and finds what changed since as without it; --no-cache reads and writes none', async () => {
    const spec = { openapi: '3.0.3', info: { title: 'CRM', version: '1' }, paths: { '/accounts': { get: { operationId: 'listAccounts', responses: { '200': { description: 'ok' } } } } } };
    const root = await repo({ 'env.yaml': environment('dev'), 'connection.yaml': connection, 'specs/crm.json': JSON.stringify(spec), 'a.yaml': integration('crm-a'), 'b.yaml': integration('crm-b') });
    const cacheDir = join(root, '.cache');
    const given = process.env.INTCTL_CACHE_DIR;
    process.env.INTCTL_CACHE_DIR = cacheDir;
    try {
      const first = await runCli(['validate', '--repo', root, '-o', 'json']);
      expect(first.code).toBe(0);
      expect((await readdir(cacheDir)).filter((f) => f.startsWith('manifests-'))).toHaveLength(1);
      const second = await runCli(['validate', '--repo', root, '-o', 'json']);
      expect(second).toEqual(first);

      await writeFile(join(root, 'b.yaml'), (await readFile(join(root, 'b.yaml'), 'utf8')).replace('[dev]', '[dev, qa]'));
      const broken = await runCli(['validate', '--repo', root, '-o', 'json']);
      const uncached = await runCli(['validate', '--repo', root, '-o', 'json', '--no-cache']);
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout).problems.map((p: { file: string; field: string }) => `${p.file} ${p.field}`)).toEqual(['b.yaml spec.environments[1]']);
      expect(broken).toEqual(uncached);

      await rm(cacheDir, { recursive: true });
      expect(await runCli(['validate', '--repo', root, '--no-cache'])).toMatchObject({ code: 1 });
      await expect(readdir(cacheDir)).rejects.toThrow();
    } finally {
      if (given === undefined) delete process.env.INTCTL_CACHE_DIR;
      else process.env.INTCTL_CACHE_DIR = given;
    }
  });
});
