/**
 * The objects `helm template` renders, as far as the chart's tests read them, and the checks
 * every workload of the chart must pass: a hardened pod, and credentials only ever mounted from
 * the Secrets the values name.
 */
import { expect } from 'vitest';
import type { Values } from './chart-values.ts';

/** A variable that would carry a secret itself, not the path of a file holding it. */
const SECRET_NAME = /(TOKEN|TOKENS|SECRET|PASSWORD|PRIVATE_KEY|DATABASE_URL)$/;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: unknown;
  stringData?: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}

export interface Volume {
  name: string;
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string };
  secret?: { secretName: string; defaultMode?: number; items?: Array<{ key: string; path: string }> };
}

export interface Container {
  name: string;
  args: string[];
  env: EnvVar[];
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

export interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName: string;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes: Volume[];
}

export interface Workload extends K8sObject {
  spec: {
    replicas: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: Array<{ metadata: { name: string } }>;
  };
}

export const envOf = (container: Container): Map<string, EnvVar> => new Map(container.env.map((e) => [e.name, e]));
export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The Secrets named in the values: every secretName anywhere in them. */
export function secretNames(values: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(values)) for (const v of values) secretNames(v, out);
  else if (values !== null && typeof values === 'object') {
    for (const [key, value] of Object.entries(values)) {
      if (key === 'secretName' && typeof value === 'string' && value !== '') out.add(value);
      else secretNames(value, out);
    }
  }
  return out;
}

/**
 * Credentials are mounted, never carried: no variable named like a secret has a value of its
 * own; every `*_FILE` variable names a file of a read-only volume from one of the Secrets the
 * values name; and so does every secretKeyRef.
 */
export function checkSecretsReferenced(pod: PodSpec, container: Container, values: Values): void {
  const named = secretNames(values);
  const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
  for (const volume of pod.volumes) {
    if (volume.secret) expect(named, `volume ${volume.name}`).toContain(volume.secret.secretName);
  }
  for (const variable of container.env) {
    if (SECRET_NAME.test(variable.name)) {
      expect(variable.value, `${variable.name} must not carry a secret`).toBeUndefined();
      expect(named).toContain(variable.valueFrom?.secretKeyRef?.name);
    }
    if (!variable.name.endsWith('_FILE')) continue;
    const path = variable.value!;
    const mount = container.volumeMounts.find((m) => path.startsWith(`${m.mountPath}/`));
    expect(mount, `${variable.name}=${path} is on no volume`).toBeDefined();
    expect(mount!.readOnly).toBe(true);
    const secret = volumes.get(mount!.name)?.secret;
    expect(secret, `${variable.name}: volume ${mount!.name} is not a Secret`).toBeDefined();
    // A Secret mounted whole (the notifications file beside the files it names) holds every key.
    if (secret!.items !== undefined) expect(secret!.items.map((i) => `${mount!.mountPath}/${i.path}`)).toContain(path);
    expect(secret!.defaultMode).toBe(0o440);
  }
}

export function checkHardened(pod: PodSpec, container: Container): void {
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.securityContext.runAsNonRoot).toBe(true);
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(pod.securityContext.seccompProfile?.type).toBe('RuntimeDefault');
  expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
  expect(container.securityContext.capabilities?.drop).toContain('ALL');
  // With a read-only root, what is written goes to volumes: tmp (tsx's cache) and the state.
  const mounts = new Map(container.volumeMounts.map((m) => [m.mountPath, m]));
  expect(mounts.get('/tmp')?.readOnly).toBeUndefined();
  expect(mounts.get('/var/lib/intctl')?.readOnly).toBeUndefined();
  expect(envOf(container).get('INTCTL_STATE_DIR')?.value).toBe('/var/lib/intctl');
  const tmp = pod.volumes.find((v) => v.name === mounts.get('/tmp')!.name);
  expect(tmp?.emptyDir).toBeDefined();
}
