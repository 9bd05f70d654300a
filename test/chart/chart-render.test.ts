/**
 * The chart rendered by a real helm (see ./helm.ts; CI installs it in .ci/run): `helm lint` and
 * `helm template` with the defaults and with every documented example, and the objects checked:
 * what kinds there are, the controller's variables against the ones intctl reads, probes,
 * security contexts, shards, and that credentials are only ever mounted from existing Secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_FIELDS } from '../../controller/config/controller-config.ts';
import { readControllerConfig, readEnvironmentServerConfig } from '../../controller/config/read-config.ts';
import { CHART, ROOT, exampleFiles, mergeValues, readYaml, type Values } from './chart-values.ts';
import { checkHardened, checkSecretsReferenced, envOf, selects, type K8sObject, type Workload } from './rendered-objects.ts';
import { findHelm, helm, installHelm } from './helm.ts';

// CI installs helm before the tests (.ci/run); a work tree without it gets it here, once.
const binary = (await findHelm()) ?? (await installHelm());
const NAMESPACE = 'integrations';
const RELEASE = 'intctl';
const GIT_URL = 'https://github.com/acme/integrations.git';

const CONTROLLER_VARIABLES = new Set<string>(Object.values(CONFIG_FIELDS).map((f) => f.env));

const scratch = await mkdtemp(join(tmpdir(), 'intctl-chart-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let written = 0;

async function valuesFile(values: Values): Promise<string> {
  const path = join(scratch, `values-${++written}.yaml`);
  await writeFile(path, stringify(values));
  return path;
}

async function render(files: string[]): Promise<K8sObject[]> {
  const result = await helm(binary, ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...files.flatMap((f) => ['-f', f])]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

async function renderFails(values: Values): Promise<string> {
  const result = await helm(binary, ['template', RELEASE, CHART, '--namespace', NAMESPACE, '-f', await valuesFile(values)]);
  expect(result.code).not.toBe(0);
  return result.stderr;
}

const one = <T extends K8sObject>(objects: K8sObject[], kind: string, name?: string): T => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toHaveLength(1);
  return found[0] as T;
};
interface Case {
  name: string;
  values: Values;
  files: string[];
}

async function cases(): Promise<Case[]> {
  const defaults = await readYaml(join(CHART, 'values.yaml'));
  const withUrl = { git: { url: GIT_URL } };
  const out: Case[] = [{ name: 'defaults (with git.url)', values: mergeValues(defaults, withUrl), files: [await valuesFile(withUrl)] }];
  for (const name of await exampleFiles()) {
    const file = join(CHART, 'examples', name);
    out.push({ name: `examples/${name}`, values: mergeValues(defaults, await readYaml(file)), files: [file] });
  }
  return out;
}

describe('the chart rendered by helm', async () => {
  const all = await cases();
  const fullname = (values: Values) => ((values.fullnameOverride as string) || RELEASE);

  it('refuses to render without git.url', async () => {
    const result = await helm(binary, ['template', RELEASE, CHART]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('git.url is required');
  });

  it.each(all)('lints with $name', async ({ files }) => {
    const result = await helm(binary, ['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', f])]);
    expect(result.stdout).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it.each(all)('renders $name: no Secret, ConfigMap or RBAC, only what intctl runs with', async ({ values, files }) => {
    const objects = await render(files);
    const kinds = new Set(objects.map((o) => o.kind));
    const allowed = ['ServiceAccount', 'Service', 'StatefulSet', 'PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule', 'Ingress', 'Deployment', 'PersistentVolumeClaim'];
    expect([...kinds].filter((k) => !allowed.includes(k))).toEqual([]);
    expect(kinds).toContain('StatefulSet');
    expect(kinds).toContain('ServiceAccount');
    expect(objects.some((o) => o.data !== undefined || o.stringData !== undefined)).toBe(false);
    expect(kinds.has('Deployment')).toBe((values.environmentServer as { enabled: boolean }).enabled);
    expect(kinds.has('ServiceMonitor')).toBe((values.metrics as { serviceMonitor: { enabled: boolean } }).serviceMonitor.enabled);
    expect(kinds.has('PrometheusRule')).toBe((values.metrics as { prometheusRule: { enabled: boolean } }).prometheusRule.enabled);
    expect(kinds.has('Ingress')).toBe((values.ingress as { enabled: boolean }).enabled);
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as (K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }) | undefined;
    if (monitor) {
      // One Service a pod, or every replica would be scraped twice.
      const scraped = objects.filter((o) => o.kind === 'Service' && selects(monitor.spec.selector.matchLabels, o.metadata.labels ?? {}));
      expect(scraped.map((o) => o.metadata.name)).toEqual([`${fullname(values)}-controller-headless`]);
    }
    const account = one(objects, 'ServiceAccount') as K8sObject & { automountServiceAccountToken?: boolean };
    expect(account.automountServiceAccountToken).toBe(false);
  });

  it.each(all)('runs the controller with $name: variables intctl reads, probes, a hardened pod, mounted credentials', async ({ values, files }) => {
    const objects = await render(files);
    const name = `${fullname(values)}-controller`;
    const set = one<Workload>(objects, 'StatefulSet', name);
    const pod = set.spec.template.spec;
    expect(pod.containers.map((c) => c.name)).toEqual(['controller']);
    const container = pod.containers[0]!;
    expect(container.args).toEqual(['controller']);
    const env = envOf(container);
    expect(container.env.filter((e) => e.name.startsWith('INTCTL_') && !CONTROLLER_VARIABLES.has(e.name)).map((e) => e.name)).toEqual([]);
    expect(env.get('INTCTL_GIT_URL')?.value).toBe((values.git as { url: string }).url);
    expect(env.get('INTCTL_HOLDER')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');

    const port = container.ports.find((p) => p.name === 'http');
    expect(port?.containerPort).toBe(8080);
    expect(env.get('INTCTL_LISTEN_PORT')?.value).toBe('8080');
    expect(env.get('INTCTL_LISTEN_HOST')?.value).toBe('0.0.0.0');
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });

    checkHardened(pod, container);
    checkSecretsReferenced(pod, container, values);
    const persistence = (values.controller as { persistence: { enabled: boolean } }).persistence.enabled;
    expect(set.spec.volumeClaimTemplates?.map((c) => c.metadata.name)).toEqual(persistence ? ['state'] : undefined);

    const service = one(objects, 'Service', name) as K8sObject & { spec: { selector: Record<string, string> } };
    expect(selects(service.spec.selector, set.spec.template.metadata.labels)).toBe(true);
    expect(selects(set.spec.selector.matchLabels, set.spec.template.metadata.labels)).toBe(true);
    const budget = objects.find((o) => o.kind === 'PodDisruptionBudget') as (K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }) | undefined;
    if (budget) expect(selects(budget.spec.selector.matchLabels, set.spec.template.metadata.labels)).toBe(true);
  });

  it.each(all)("configures the controller with $name: intctl's own configuration reader accepts what the pod is given", async ({ values, files }) => {
    const objects = await render(files);
    const set = one<Workload>(objects, 'StatefulSet', `${fullname(values)}-controller`);
    const container = set.spec.template.spec.containers[0]!;
    // The pod's files stand in a scratch directory; its fields (the pod name) are replica 1's.
    const root = await mkdtemp(join(scratch, 'pod-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const variable of container.env) {
      const value = variable.valueFrom?.fieldRef ? `${set.metadata.name}-1` : variable.value;
      expect(value, `${variable.name} must be a value or the pod's name`).toBeDefined();
      env[variable.name] = value!.startsWith('/') ? join(root, value!) : value;
    }
    for (const [name, path] of Object.entries(env)) {
      if (!name.endsWith('_FILE') || path === undefined) continue;
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, `value-of-${name.toLowerCase()}-from-a-mounted-secret\n`);
    }
    const config = await readControllerConfig({ env, cwd: root });
    expect(config.git.url).toBe((values.git as { url: string }).url);
    expect(config.stateDir).toBe(join(root, '/var/lib/intctl'));
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.holder).toBe(`${set.metadata.name}-1`);
    const api = values.api as { token: { secretName: string }; readAccess: string };
    expect(config.api.readAccess).toBe(api.readAccess);
    expect(config.api.token !== undefined).toBe(api.token.secretName !== '');
    // Shards and GitHub are checked once the configuration reads them (CONFIG_FIELDS names them).
    const fields: Record<string, unknown> = CONFIG_FIELDS;
    const read = config as { shard?: { index: number; count: number; peers: string[] }; github?: { owner: string; repo: string; auth: { kind: string }; report: string } };
    const replicas = (values.controller as { replicas: number }).replicas;
    if ('shardIndex' in fields) {
      expect(read.shard).toMatchObject({ index: replicas > 1 ? 1 : 0, count: replicas });
      if (replicas > 1) expect(read.shard!.peers[1]).toBe(`http://${set.metadata.name}-1.${set.spec.serviceName}.${NAMESPACE}.svc:8080`);
    }
    const github = values.github as { repository: string; app: { id: string }; token: { secretName: string } };
    if ('githubAppId' in fields) {
      const kind = github.app.id ? 'app' : github.token.secretName ? 'token' : undefined;
      expect(read.github?.auth.kind).toBe(kind);
      if (kind !== undefined) expect(`${read.github!.owner}/${read.github!.repo}`).toBe(github.repository);
    }
  });

  it.each(all)('gives each replica its shard with $name: ordinal from the pod name, count, and peers by stable DNS name', async ({ values, files }) => {
    const objects = await render(files);
    const name = `${fullname(values)}-controller`;
    const set = one<Workload>(objects, 'StatefulSet', name);
    const env = envOf(set.spec.template.spec.containers[0]!);
    const headless = one(objects, 'Service', set.spec.serviceName) as K8sObject & { spec: { clusterIP: string; selector: Record<string, string> } };
    expect(headless.spec.clusterIP).toBe('None');
    expect(selects(headless.spec.selector, set.spec.template.metadata.labels)).toBe(true);
    const replicas = (values.controller as { replicas: number }).replicas;
    expect(set.spec.replicas).toBe(replicas);
    if (replicas === 1) {
      expect([...env.keys()].filter((k) => k.startsWith('INTCTL_SHARD'))).toEqual([]);
      return;
    }
    expect(env.get('INTCTL_SHARD')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.get('INTCTL_SHARDS')?.value).toBe(String(replicas));
    // Replica 2's pod is <statefulset>-2, reachable as <pod>.<governing service>.<namespace>.svc.
    const peers = env.get('INTCTL_SHARD_PEERS')?.value ?? '';
    expect(peers.replace('{i}', '2')).toBe(`http://${name}-2.${set.spec.serviceName}.${NAMESPACE}.svc:8080`);
  });

  it('renders the example with three shards as three replicas', async () => {
    const objects = await render([join(CHART, 'examples', 'ssh-shards.yaml')]);
    const env = envOf(one<Workload>(objects, 'StatefulSet').spec.template.spec.containers[0]!);
    expect(env.get('INTCTL_SHARDS')?.value).toBe('3');
    expect(env.get('INTCTL_GIT_SSH_KEY_FILE')?.value).toBe('/var/run/secrets/intctl/git-ssh/identity');
    expect(env.get('INTCTL_GIT_KNOWN_HOSTS_FILE')?.value).toBe('/var/run/secrets/intctl/git-ssh/known_hosts');
    expect(env.get('INTCTL_GITHUB_API_URL')?.value).toBe('https://github.example.com/api/v3');
    expect(env.get('INTCTL_GITHUB_REPORT')?.value).toBe('statuses');
  });

  it('mounts each http environment token where the Environment names it, and keeps large App ids whole', async () => {
    const values = {
      git: { url: GIT_URL },
      github: { repository: 'acme/integrations', app: { id: 12345678, installationId: 987654321, privateKey: { secretName: 'app-key', key: 'key.pem' } } },
      controller: { environmentTokens: { prod: { secretName: 'prod-token', key: 'token' } } },
    };
    const objects = await render([await valuesFile(values)]);
    const pod = one<Workload>(objects, 'StatefulSet').spec.template.spec;
    const container = pod.containers[0]!;
    const mount = container.volumeMounts.find((m) => m.mountPath === '/var/run/secrets/intctl/environments/prod');
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    expect(volume?.secret).toEqual({ secretName: 'prod-token', defaultMode: 0o440, items: [{ key: 'token', path: 'token' }] });
    const env = envOf(container);
    expect(env.get('INTCTL_GITHUB_APP_ID')?.value).toBe('12345678');
    expect(env.get('INTCTL_GITHUB_APP_INSTALLATION_ID')?.value).toBe('987654321');
    expect(env.get('INTCTL_GITHUB_APP_PRIVATE_KEY_FILE')?.value).toBe('/var/run/secrets/intctl/github-app/private-key.pem');
  });

  it("mounts the API token from its Secret as a file, like the generic webhook's, and passes api.readAccess", async () => {
    const defaults = envOf(one<Workload>(await render([await valuesFile({ git: { url: GIT_URL } })]), 'StatefulSet').spec.template.spec.containers[0]!);
    expect(defaults.has('INTCTL_API_TOKEN_FILE')).toBe(false);
    expect(defaults.get('INTCTL_API_READ_ACCESS')?.value).toBe('public');

    const values = { git: { url: GIT_URL }, webhook: { generic: { secretName: 'hook', key: 'token' } }, api: { token: { secretName: 'intctl-api', key: 'api-token' }, readAccess: 'token' } };
    const pod = one<Workload>(await render([await valuesFile(values)]), 'StatefulSet').spec.template.spec;
    const container = pod.containers[0]!;
    const env = envOf(container);
    expect(env.get('INTCTL_API_TOKEN_FILE')?.value).toBe('/var/run/secrets/intctl/api-token/token');
    expect(env.get('INTCTL_API_READ_ACCESS')?.value).toBe('token');
    expect(env.has('INTCTL_API_TOKEN')).toBe(false);
    const mount = container.volumeMounts.find((m) => m.mountPath === '/var/run/secrets/intctl/api-token');
    expect(mount?.readOnly).toBe(true);
    expect(pod.volumes.find((v) => v.name === mount?.name)?.secret).toEqual({ secretName: 'intctl-api', defaultMode: 0o440, items: [{ key: 'api-token', path: 'token' }] });
    // Its own Secret: not the generic webhook's.
    expect(env.get('INTCTL_WEBHOOK_TOKEN_FILE')?.value).toBe('/var/run/secrets/intctl/webhook-generic/token');
  });

  it('runs the environment server with variables it reads, its tokens mounted, and a callback to the controller', async () => {
    const file = join(CHART, 'examples', 'environment-server.yaml');
    const values = mergeValues(await readYaml(join(CHART, 'values.yaml')), await readYaml(file));
    const objects = await render([file]);
    const deployment = one<Workload>(objects, 'Deployment', 'intctl-environment-server');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    expect(container.args).toEqual(['environment', 'serve']);
    const readers = ['read-config.ts', 'key-file.ts'].map((name) => readFile(join(ROOT, 'controller', 'config', name), 'utf8'));
    const source = (await Promise.all(readers)).join('\n');
    const unread = container.env
      .map((e) => e.name)
      .filter((n) => n.startsWith('INTCTL_') && !source.includes(`'${n.replace(/_FILE$/, '')}'`) && !source.includes(`'${n}'`) && !source.includes(`env.${n}`));
    expect(unread).toEqual([]);
    const env = envOf(container);
    expect(env.get('INTCTL_ENV_SERVER_NAME')?.value).toBe('prod');
    expect(env.get('INTCTL_ENV_SERVER_HOST')?.value).toBe('0.0.0.0');
    expect(env.get('INTCTL_ENV_SERVER_CALLBACK_URL')?.value).toBe(`http://intctl-controller.${NAMESPACE}.svc:8080/webhooks/generic`);
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'intctl-controller')).toBe(true);
    expect(env.get('INTCTL_ENV_SERVER_DATABASE_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'intctl-prod-db', key: 'url' });
    expect(env.get('INTCTL_ENVIRONMENT_KEY_FILE')?.value).toBe('/var/run/secrets/intctl/environment-key/key');
    const keyMount = container.volumeMounts.find((m) => m.mountPath === '/var/run/secrets/intctl/environment-key');
    expect(pod.volumes.find((v) => v.name === keyMount?.name)?.secret).toEqual({ secretName: 'intctl-prod-key', defaultMode: 0o440, items: [{ key: 'key', path: 'key' }] });
    expect(env.has('INTCTL_ENVIRONMENT_PREVIOUS_KEY_FILE')).toBe(false);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    // Not ready while its database cannot be reached; alive all the same.
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    checkHardened(pod, container);
    checkSecretsReferenced(pod, container, values);
    const root = await mkdtemp(join(scratch, 'pod-'));
    const given: NodeJS.ProcessEnv = {};
    for (const variable of container.env) {
      const value = variable.valueFrom?.secretKeyRef ? 'postgres://intctl:secret@db.example.com:5432/intctl' : variable.value!;
      given[variable.name] = value.startsWith('/') ? join(root, value) : value;
      if (!variable.name.endsWith('_FILE')) continue;
      await mkdir(join(given[variable.name]!, '..'), { recursive: true });
      const content = variable.name === 'INTCTL_ENVIRONMENT_KEY_FILE' ? randomBytes(32).toString('base64') : `value-of-${variable.name.toLowerCase()}-from-a-mounted-secret`;
      await writeFile(given[variable.name]!, `${content}\n`);
    }
    const config = await readEnvironmentServerConfig({}, given, root);
    expect(config).toMatchObject({ name: 'prod', listen: { host: '0.0.0.0', port: 8080 }, store: { kind: 'postgresql', schema: 'intctl_prod' } });
    expect(config.callback?.url).toBe(`http://intctl-controller.${NAMESPACE}.svc:8080/webhooks/generic`);
    expect(config.tokens.applications).toHaveLength(1);
    expect(config.keyFile.path).toBe(join(root, '/var/run/secrets/intctl/environment-key/key'));
    const service = one(objects, 'Service', 'intctl-environment-server') as K8sObject & { spec: { selector: Record<string, string> } };
    expect(selects(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
  });

  it('keeps an environment server on SQLite to one replica, on a volume of its own', async () => {
    const server = { enabled: true, name: 'dev', controllerToken: { secretName: 'dev-token', key: 'token' }, keyFile: { secretName: 'dev-key', key: 'key' }, callback: { enabled: false } };
    const objects = await render([await valuesFile({ git: { url: GIT_URL }, environmentServer: server })]);
    const deployment = one<Workload>(objects, 'Deployment') as Workload & { spec: { strategy?: { type: string } } };
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    const claim = one(objects, 'PersistentVolumeClaim');
    expect(deployment.spec.template.spec.volumes.find((v) => v.name === 'state')?.persistentVolumeClaim?.claimName).toBe(claim.metadata.name);
    expect(await renderFails({ git: { url: GIT_URL }, environmentServer: { ...server, replicas: 2 } })).toContain('more than one replica needs a PostgreSQL database');
  });

  it('mounts the previous key file beside the key file while the key file is rotated', async () => {
    const server = {
      enabled: true,
      name: 'dev',
      controllerToken: { secretName: 'dev-token', key: 'token' },
      keyFile: { secretName: 'dev-key-2', key: 'key' },
      previousKeyFile: { secretName: 'dev-key-1', key: 'key' },
      callback: { enabled: false },
    };
    const pod = one<Workload>(await render([await valuesFile({ git: { url: GIT_URL }, environmentServer: server })]), 'Deployment').spec.template.spec;
    const container = pod.containers[0]!;
    const env = envOf(container);
    const secretAt = (dir: string) => pod.volumes.find((v) => v.name === container.volumeMounts.find((m) => m.mountPath === dir)?.name)?.secret;
    expect(env.get('INTCTL_ENVIRONMENT_KEY_FILE')?.value).toBe('/var/run/secrets/intctl/environment-key/key');
    expect(env.get('INTCTL_ENVIRONMENT_PREVIOUS_KEY_FILE')?.value).toBe('/var/run/secrets/intctl/environment-previous-key/key');
    expect(secretAt('/var/run/secrets/intctl/environment-key')).toMatchObject({ secretName: 'dev-key-2', items: [{ key: 'key', path: 'key' }] });
    expect(secretAt('/var/run/secrets/intctl/environment-previous-key')).toMatchObject({ secretName: 'dev-key-1', items: [{ key: 'key', path: 'key' }] });
  });

  it('runs an environment server alone, calling back a controller elsewhere, when the release runs no controller', async () => {
    const callback = 'https://intctl.example.com/webhooks/generic';
    const server = { enabled: true, name: 'plant', controllerToken: { secretName: 'plant-token', key: 'token' }, keyFile: { secretName: 'plant-key', key: 'key' }, callback: { enabled: true, url: callback } };
    const objects = await render([await valuesFile({ controller: { enabled: false }, webhook: { generic: { secretName: 'hook', key: 'token' } }, environmentServer: server })]);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']);
    const env = envOf(one<Workload>(objects, 'Deployment').spec.template.spec.containers[0]!);
    expect(env.get('INTCTL_ENV_SERVER_CALLBACK_URL')?.value).toBe(callback);
    const { callback: _, ...withoutUrl } = server;
    expect(await renderFails({ controller: { enabled: false }, webhook: { generic: { secretName: 'hook' } }, environmentServer: { ...withoutUrl, callback: { enabled: true } } })).toContain(
      'environmentServer.callback.url is required',
    );
  });

  it.each<[string, Values, string]>([
    ['both a Git token and an ssh key', { git: { url: GIT_URL, token: { secretName: 'a' }, ssh: { secretName: 'b' } } }, 'give one way to authenticate to Git'],
    ['both a GitHub token and an App', { git: { url: GIT_URL }, github: { repository: 'a/b', token: { secretName: 't' }, app: { id: '1', privateKey: { secretName: 'k' } } } }, 'a token or a GitHub App, not both'],
    ['an App without its private key', { git: { url: GIT_URL }, github: { repository: 'a/b', app: { id: '1' } } }, 'a GitHub App needs both'],
    ['a GitHub token without the repository', { git: { url: GIT_URL }, github: { token: { secretName: 't' } } }, 'github.repository (owner/name) is required'],
    ['a drift callback without the generic webhook token', { git: { url: GIT_URL }, environmentServer: { enabled: true, name: 'dev', controllerToken: { secretName: 't' }, keyFile: { secretName: 'k' } } }, 'needs webhook.generic.secretName'],
    ['API reads by token without the API token', { git: { url: GIT_URL }, api: { readAccess: 'token' } }, 'api.readAccess token needs the API token: set api.token.secretName'],
    ['an environment server without its name', { git: { url: GIT_URL }, environmentServer: { enabled: true, controllerToken: { secretName: 't' }, keyFile: { secretName: 'k' }, callback: { enabled: false } } }, 'environmentServer.name is required'],
    [
      'an environment server without its key file',
      { git: { url: GIT_URL }, environmentServer: { enabled: true, name: 'dev', controllerToken: { secretName: 't' }, callback: { enabled: false } } },
      "environmentServer.keyFile.secretName is required: the Secret holding the key file that wraps the environment's private key",
    ],
    ['a value the schema does not know', { git: { url: GIT_URL }, controller: { replica: 2 } }, "additional properties 'replica' not allowed"],
  ])('refuses %s', async (_what, values, message) => {
    expect(await renderFails(values)).toContain(message);
  });
});
