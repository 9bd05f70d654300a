/**
 * The chart's files without rendering them: its CRDs are the repository's, values.schema.json
 * accepts the defaults and every documented example and refuses what is wrong, every value a
 * template reads is described, and every described value is read by a template.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHART, ROOT, exampleFiles, mergeValues, readYaml, schemaDescribes, schemaLeaves, templateTexts, valueReferences, type SchemaNode, type Values } from './chart-values.ts';

const schema = JSON.parse(await readFile(join(CHART, 'values.schema.json'), 'utf8')) as SchemaNode & Record<string, unknown>;
const defaults = await readYaml(join(CHART, 'values.yaml'));
const examples = await exampleFiles();
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validate = ajv.compile(schema);

function problems(values: Values): string[] {
  if (validate(values)) return [];
  // A `const` reached through if/then is how the schema says what is wrong (helm prints its value).
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.keyword === 'const' ? `: ${String((e.params as { allowedValue: unknown }).allowedValue)}` : ''}`.trim());
}

describe('the chart', () => {
  it("ships the repository's CRDs byte for byte", async () => {
    const names = (await readdir(join(ROOT, 'crds'))).filter((n) => n.endsWith('.yaml')).sort();
    expect(names.length).toBeGreaterThan(0);
    expect((await readdir(join(CHART, 'crds'))).sort()).toEqual(names);
    for (const name of names) {
      const [source, copy] = await Promise.all([readFile(join(ROOT, 'crds', name)), readFile(join(CHART, 'crds', name))]);
      expect(copy.equals(source), `charts/intctl/crds/${name} differs from crds/${name}: cp crds/*.yaml charts/intctl/crds/`).toBe(true);
    }
  });

  it("installs the intctl version of package.json (appVersion, the default image tag)", async () => {
    const chart = await readYaml(join(CHART, 'Chart.yaml'));
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'intctl', type: 'application', appVersion: pkg.version });
  });
});

describe('values.schema.json', () => {
  it('is JSON Schema draft-07, as Helm reads it, with a description for every value', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const undescribed = schemaLeaves(schema)
      .filter(({ node, viaRef }) => viaRef === undefined && !node.description)
      .map(({ path }) => path);
    expect(undescribed).toEqual([]);
  });

  it('accepts the default values', () => {
    expect(problems(defaults)).toEqual([]);
  });

  it.each([
    ['* * * * *'],
    ['*/5 * * * *'],
    ['0 */2 * * 1-5'],
    ['30 0 * * * *'],
    ['off'],
  ])('accepts the poll schedule %s', (schedule) => {
    expect(problems(mergeValues(defaults, { controller: { poll: { schedule } } }))).toEqual([]);
  });

  it.each([['public'], ['token']])('accepts api.readAccess %s with the API token from a Secret', (readAccess) => {
    expect(problems(mergeValues(defaults, { api: { token: { secretName: 'intctl-api', key: 'token' }, readAccess } }))).toEqual([]);
  });

  it('has documented examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['minimal.yaml', 'github-app.yaml', 'ssh-shards.yaml', 'environment-server.yaml', 'operations.yaml']));
  });

  it.each(examples)('accepts examples/%s over the defaults', async (name) => {
    const example = await readYaml(join(CHART, 'examples', name));
    expect(problems(mergeValues(defaults, example))).toEqual([]);
  });

  it.each<[string, Values, string]>([
    ['an unknown value (a typo)', { controller: { replica: 3 } }, 'must NOT have additional properties'],
    ['a token inside the Git URL', { git: { url: 'https://x-access-token:ghp_secret@github.com/acme/repo.git' } }, '/git/url must be equal to constant: a URL without a token or password in it: put the token in a Secret'],
    ['a secret value where a Secret name belongs', { git: { token: { secretName: 'ghp_ABCdef', key: 'token' } } }, "/git/token/secretName must be equal to constant: the name of a Secret in the namespace of the release (lowercase letters, digits, - and .), never the secret itself"],
    ['no replica', { controller: { replicas: 0 } }, '/controller/replicas must be >= 1'],
    ['a report kind that does not exist', { github: { report: 'comments' } }, '/github/report must be equal to one of the allowed values'],
    ['a repository that is not owner/name', { github: { repository: 'https://github.com/acme/repo' } }, '/github/repository must be equal to constant: owner/name of the repository, such as acme/integrations (not its URL)'],
    ['an environment token for a name that is not a DNS label', { controller: { environmentTokens: { Prod: { secretName: 'p', key: 'token' } } } }, 'property name must be valid'],
    ['an extra variable carrying a secret value', { controller: { extraEnv: [{ name: 'INTCTL_WEBHOOK_TOKEN', value: 'hunter2' }] } }, '/controller/extraEnv/0/value must be equal to constant: a secret never as a value'],
    ['a poll schedule that is not cron', { controller: { poll: { schedule: 'every minute' } } }, '/controller/poll/schedule must be equal to constant: off, or a cron expression of five or six fields'],
    ['an image digest that is not sha256', { image: { digest: 'latest' } }, '/image/digest must match pattern'],
    ['an extra volume mount at a relative path', { controller: { extraVolumeMounts: [{ name: 'crm', mountPath: 'secrets/crm' }] } }, '/controller/extraVolumeMounts/0/mountPath must be equal to constant: an absolute path'],
    ['an Ingress host that is a URL', { ingress: { host: 'https://intctl.example.com' } }, '/ingress/host must be equal to constant: a host name such as intctl.example.com (no scheme, no port, no path)'],
    ['an environment server name that is not a DNS label', { environmentServer: { name: 'Prod_1' } }, '/environmentServer/name must be equal to constant: the name of the environment as the repository gives it'],
    ['a GitHub API that is not a URL', { github: { apiUrl: 'github.example.com' } }, '/github/apiUrl must be equal to constant: an http(s) URL'],
    ['a status author whose e-mail is not one', { controller: { statusAuthor: { email: 'nope' } } }, '/controller/statusAuthor/email must be equal to constant: an e-mail address'],
    ['a stale threshold under five minutes', { metrics: { prometheusRule: { staleAfterMinutes: 1 } } }, '/metrics/prometheusRule/staleAfterMinutes must be >= 5'],
    ['an API read access that does not exist', { api: { readAccess: 'private' } }, '/api/readAccess must be equal to one of the allowed values'],
    ['an API token given as a value', { api: { token: 'hunter2-api-token' } }, '/api/token must be object'],
    ['an API token value where its Secret name belongs', { api: { token: { secretName: 'Bearer abc123', key: 'token' } } }, '/api/token/secretName must be equal to constant: the name of a Secret in the namespace of the release'],
    ['a log level that does not exist', { environmentServer: { logLevel: 'verbose' } }, '/environmentServer/logLevel must be equal to one of the allowed values'],
  ])('refuses %s', (_what, over, expected) => {
    expect(problems(mergeValues(defaults, over)).join('\n')).toContain(expected);
  });
});

describe('the values the templates read', async () => {
  const texts = await templateTexts();
  const references = new Map<string, string[]>();
  for (const [file, text] of texts) {
    for (const path of valueReferences(text)) references.set(path, [...(references.get(path) ?? []), file]);
  }

  it('are read at all (the reference scan finds them)', () => {
    expect(references.get('git.url')).toEqual(expect.arrayContaining(['controller-statefulset.yaml']));
    expect(references.get('environmentServer.driftCheckMs')).toEqual(['environment-server-deployment.yaml']);
  });

  it('are each described by the schema', () => {
    const undescribed = [...references].filter(([path]) => !schemaDescribes(schema, path)).map(([path, files]) => `${path} (${files.join(', ')})`);
    expect(undescribed).toEqual([]);
  });

  it('include every value the schema describes: no dead values', () => {
    const read = [...references.keys()];
    const dead = schemaLeaves(schema)
      .filter(({ path, viaRef }) => {
        // A leaf is read by its own path, by a path below it (a mapping of free keys), or, for a
        // shared shape such as a Secret key, by its parent handed to a helper whole.
        const used = (p: string) => read.some((r) => r === p || r.startsWith(`${p}.`));
        return !used(path) && !(viaRef !== undefined && used(viaRef));
      })
      .map(({ path }) => path);
    expect(dead).toEqual([]);
  });
});
