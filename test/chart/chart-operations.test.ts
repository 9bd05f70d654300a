/**
 * What the chart offers operators beyond running intctl, rendered by a real helm: extra volumes
 * (connection secrets as files), an Ingress for the webhooks and the dashboard, a PrometheusRule
 * whose alerts are on metrics the controller serves and are the ones docs/operations.md
 * suggests, notifications from a mounted Secret, the image by digest, and schema errors that
 * say what is wrong without repeating a secret.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { readControllerConfig } from '../../controller/config/read-config.ts';
import { createNotifier } from '../../controller/notifications/notifier.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import { createMetrics } from '../../controller/observability/metrics.ts';
import { createGithubMetrics } from '../../controller/reporting/github/github-metrics.ts';
import { CHART, ROOT, mergeValues, readYaml, type Values } from './chart-values.ts';
import { findHelm, helm, installHelm } from './helm.ts';
import { checkHardened, checkSecretsReferenced, envOf, type K8sObject, type Workload } from './rendered-objects.ts';

const binary = (await findHelm()) ?? (await installHelm());
const GIT_URL = 'https://github.com/acme/integrations.git';
const scratch = await mkdtemp(join(tmpdir(), 'intctl-chart-ops-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));
let written = 0;

async function run(values: Values) {
  const file = join(scratch, `values-${++written}.yaml`);
  await writeFile(file, stringify(values));
  return helm(binary, ['template', 'intctl', CHART, '--namespace', 'integrations', '-f', file]);
}

async function render(values: Values): Promise<K8sObject[]> {
  const result = await run({ git: { url: GIT_URL }, ...values });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
}

/** The syntax errors Prometheus's own PromQL grammar finds in an expression, by position. */
function promqlErrors(expr: string): number[] {
  const errors: number[] = [];
  promql.parse(expr).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
  return errors;
}

const byKind = <T extends K8sObject>(objects: K8sObject[], kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];

interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name: string } } };
}
type Ingress = K8sObject & { spec: { ingressClassName?: string; tls?: Array<{ hosts: string[]; secretName: string }>; rules: Array<{ host: string; http: { paths: IngressPath[] } }> } };
type Rule = K8sObject & { spec: { groups: Array<{ rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }> } };

describe('the chart for operators', () => {
  it('mounts extra volumes into the controller and the environment server, the pods hardened all the same', async () => {
    const volume = { name: 'crm-api-key', secret: { secretName: 'crm-api-key', defaultMode: 288 } };
    const mount = { name: 'crm-api-key', mountPath: '/var/run/secrets/intctl/crm', readOnly: true };
    const server = { enabled: true, name: 'dev', controllerToken: { secretName: 'dev-token', key: 'token' }, keyFile: { secretName: 'dev-key', key: 'key' }, callback: { enabled: false } };
    const objects = await render({ controller: { extraVolumes: [volume], extraVolumeMounts: [mount] }, environmentServer: { ...server, extraVolumes: [volume], extraVolumeMounts: [mount] } });
    for (const workload of [...byKind<Workload>(objects, 'StatefulSet'), ...byKind<Workload>(objects, 'Deployment')]) {
      const pod = workload.spec.template.spec;
      expect(pod.volumes).toContainEqual(volume);
      expect(pod.containers[0]!.volumeMounts).toContainEqual(mount);
      checkHardened(pod, pod.containers[0]!);
    }
  });

  it('routes the webhooks, and the dashboard when asked, to the controller Service, never /metrics or the probes', async () => {
    const webhooksOnly = byKind<Ingress>(await render({ ingress: { enabled: true, host: 'intctl.example.com', className: 'nginx' } }), 'Ingress');
    expect(webhooksOnly).toHaveLength(1);
    expect(webhooksOnly[0]!.spec.ingressClassName).toBe('nginx');
    expect(webhooksOnly[0]!.spec.tls).toBeUndefined();
    expect(webhooksOnly[0]!.spec.rules).toEqual([
      { host: 'intctl.example.com', http: { paths: [{ path: '/webhooks', pathType: 'Prefix', backend: { service: { name: 'intctl-controller', port: { name: 'http' } } } }] } },
    ]);

    const objects = await render({ ingress: { enabled: true, host: 'intctl.example.com', dashboard: true, tls: { secretName: 'intctl-tls' }, annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } });
    const [ingress] = byKind<Ingress>(objects, 'Ingress');
    expect(ingress!.spec.tls).toEqual([{ hosts: ['intctl.example.com'], secretName: 'intctl-tls' }]);
    const paths = ingress!.spec.rules[0]!.http.paths;
    expect(paths.map((p) => p.path)).toEqual(['/webhooks', '/', '/matrix', '/environments', '/integrations', '/ui', '/api']);
    const routed = (url: string) => paths.some((p) => (p.pathType === 'Exact' ? url === p.path : url === p.path || url.startsWith(`${p.path}/`)));
    for (const internal of ['/metrics', '/healthz', '/readyz']) expect(routed(internal), internal).toBe(false);
    for (const external of ['/webhooks/github', '/webhooks/generic', '/', '/api/v1/status']) expect(routed(external), external).toBe(true);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === paths[0]!.backend.service.name) as K8sObject & { spec: { ports: Array<{ name: string }> } };
    expect(service.spec.ports.map((p) => p.name)).toContain('http');
  });

  it.each<[string, Values, string]>([
    ['an Ingress without a host', { ingress: { enabled: true } }, 'ingress.host is required when ingress.enabled is true'],
    ['an Ingress that routes nothing', { ingress: { enabled: true, host: 'a.example.com', webhooks: false } }, 'route the webhooks (ingress.webhooks), the dashboard (ingress.dashboard) or both'],
  ])('refuses %s', async (_what, values, message) => {
    const result = await run({ git: { url: GIT_URL }, ...values });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('ships a PrometheusRule whose alerts docs/operations.md suggests, on metrics the controller serves', async () => {
    expect(byKind(await render({}), 'PrometheusRule')).toEqual([]);
    const [rule] = byKind<Rule>(await render({ metrics: { prometheusRule: { enabled: true, labels: { release: 'prometheus' } } }, controller: { replicas: 3 } }), 'PrometheusRule');
    expect(rule!.metadata.labels?.release).toBe('prometheus');
    const alerts = rule!.spec.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual([
      'IntctlEnvironmentStalled',
      'IntctlEnvironmentNotReconciled',
      'IntctlEnvironmentDrifted',
      'IntctlCertificatesExpiring',
      'IntctlGitFetchFailing',
      'IntctlNotificationsFailing',
      'IntctlGithubRateLimitLow',
      'IntctlShardPeersMissing',
    ]);
    expect(alerts.find((a) => a.alert === 'IntctlShardPeersMissing')!.expr).toContain('< 2');
    expect(alerts.find((a) => a.alert === 'IntctlEnvironmentNotReconciled')!.expr).toContain('> 3600');

    // Every expression is PromQL, as Prometheus's grammar reads it (the check itself finds a broken one).
    expect(promqlErrors('sum(rate(intctl_queue_depth[5m]) >')).not.toEqual([]);
    for (const alert of alerts) expect(promqlErrors(alert.expr), alert.alert).toEqual([]);
    // Every metric an expression names is one the controller registers.
    const registry = createMetrics({ processMetrics: true }).registry;
    createGithubMetrics(registry);
    createNotifier({ config: { providers: [{ name: 'x', kind: 'slack', url: 'http://127.0.0.1:9/', events: ['Stalled'] }], dedupeWindowMs: 0, ratePerMinute: 1, maxAttempts: 1, timeoutMs: 1 }, logger: createLogger({ level: 'silent' }), registry, retryDelay: () => 1 }).stop();
    const served = new Set<string>();
    for (const metric of await registry.getMetricsAsJSON()) {
      served.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_count', '_sum', '_bucket']) served.add(`${metric.name}${suffix}`);
    }
    const named = new Set(alerts.flatMap((a) => [...a.expr.matchAll(/\b(intctl_[a-z_]+)\b/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(5);
    expect([...named].filter((n) => !served.has(n))).toEqual([]);

    const docs = await readFile(join(ROOT, 'docs', 'operations.md'), 'utf8');
    expect(alerts.map((a) => a.alert).filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
    const single = byKind<Rule>(await render({ metrics: { prometheusRule: { enabled: true } } }), 'PrometheusRule')[0]!;
    expect(single.spec.groups.flatMap((g) => g.rules).map((a) => a.alert)).not.toContain('IntctlShardPeersMissing');
  });

  it('mounts the notifications Secret whole, and intctl reads the providers the pod is given', async () => {
    const values = { controller: { notifications: { secretName: 'intctl-notifications', key: 'notifications.yaml' } } };
    const objects = await render(values);
    const set = byKind<Workload>(objects, 'StatefulSet')[0]!;
    const pod = set.spec.template.spec;
    const container = pod.containers[0]!;
    const env = envOf(container);
    expect(env.get('INTCTL_NOTIFICATIONS_FILE')?.value).toBe('/var/run/secrets/intctl/notifications/notifications.yaml');
    expect(pod.volumes.find((v) => v.name === 'notifications')?.secret).toEqual({ secretName: 'intctl-notifications', defaultMode: 0o440 });
    checkSecretsReferenced(pod, container, mergeValues(await readYaml(join(CHART, 'values.yaml')), { git: { url: GIT_URL }, ...values }));

    const root = await mkdtemp(join(scratch, 'pod-'));
    const secretDir = join(root, 'var/run/secrets/intctl/notifications');
    await mkdir(secretDir, { recursive: true });
    await writeFile(join(secretDir, 'notifications.yaml'), 'providers:\n  - { name: ops, type: teams, urlFile: teams-url, events: [Stalled] }\n');
    await writeFile(join(secretDir, 'teams-url'), 'https://example.webhook.office.com/workflows/abc\n');
    const given: NodeJS.ProcessEnv = {};
    for (const variable of container.env) given[variable.name] = variable.valueFrom ? `${set.metadata.name}-0` : variable.value!.startsWith('/') ? join(root, variable.value!) : variable.value;
    const config = await readControllerConfig({ env: given, cwd: root });
    expect(config.notifications.providers).toEqual([{ name: 'ops', kind: 'teams', url: 'https://example.webhook.office.com/workflows/abc', events: ['Stalled'] }]);
  });

  it('pins the image by digest when one is given', async () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const objects = await render({ image: { repository: 'registry.example.com/intctl', tag: '9.9.9', digest } });
    const image = (byKind<Workload>(objects, 'StatefulSet')[0]!.spec.template.spec.containers[0] as unknown as { image: string }).image;
    expect(image).toBe(`registry.example.com/intctl@${digest}`);
  });

  it.each<[string, Values, string, string?]>([
    ['a token inside the Git URL', { git: { url: 'https://x-access-token:ghp_SECRETtoken123@github.com/acme/repo.git' } }, "at '/git/url': value must be 'a URL without a token or password in it: put the token in a Secret and name it in git.token.secretName'", 'ghp_SECRETtoken123'],
    ['a poll schedule that is not cron', { controller: { poll: { schedule: 'every minute' } } }, "at '/controller/poll/schedule': value must be 'off, or a cron expression of five or six fields separated by spaces, such as */5 * * * *'"],
    ['a secret as the value of an extra variable', { controller: { extraEnv: [{ name: 'CRM_PASSWORD', value: 'hunter2-secret' }] } }, "at '/controller/extraEnv/0/value': value must be 'a secret never as a value: a variable named like a secret takes valueFrom.secretKeyRef'", 'hunter2-secret'],
    ['a secret value where a Secret name belongs', { github: { repository: 'acme/integrations', token: { secretName: 'ghp_PastedTokenValue42', key: 'token' } } }, "at '/github/token/secretName': value must be 'the name of a Secret in the namespace of the release (lowercase letters, digits, - and .), never the secret itself'", 'ghp_PastedTokenValue42'],
    ['a repository given as its URL', { github: { repository: 'https://github.com/acme/integrations' } }, "at '/github/repository': value must be 'owner/name of the repository, such as acme/integrations (not its URL)'"],
    ['an Ingress host given as a URL', { ingress: { host: 'https://intctl.example.com' } }, "at '/ingress/host': value must be 'a host name such as intctl.example.com (no scheme, no port, no path)'"],
    ['an image digest that is not one', { image: { digest: 'latest' } }, "at '/image/digest': 'latest' does not match pattern"],
  ])('says what is wrong with %s, and never repeats a secret', async (_what, values, message, secret) => {
    const result = await run({ git: { url: GIT_URL }, ...values });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("'not' failed");
    if (secret) expect(result.stderr).not.toContain(secret);
  });
});
