import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { HttpEnvironmentError } from '../../controller/environments/http/http-environment-error.ts';
import { DriverNotAvailableError, embeddedStorePath, openDriver } from '../../controller/environments/open-driver.ts';
import type { Environment } from '../../controller/generated/manifests.ts';

const environment = (name: string, spec: Partial<Environment['spec']> = {}): Environment => ({
  apiVersion: 'intctl.dev/v1alpha1',
  kind: 'Environment',
  metadata: { name },
  spec: { driver: 'embedded', ...spec },
});

describe('embeddedStorePath', () => {
  it.each([
    ['no path: one file per environment under the state directory', environment('dev'), '/var/lib/intctl/environments/dev.db'],
    ['a relative path: under the state directory', environment('dev', { path: 'dev.sqlite' }), '/var/lib/intctl/dev.sqlite'],
    ['a relative path with folders', environment('dev', { path: 'envs/./dev.sqlite' }), '/var/lib/intctl/envs/dev.sqlite'],
    ['.. that stays inside', environment('dev', { path: 'envs/../dev.sqlite' }), '/var/lib/intctl/dev.sqlite'],
  ])('%s', (_title, env, expected) => {
    expect(embeddedStorePath(env, '/var/lib/intctl')).toBe(expected);
  });

  it.each([['/data/dev.sqlite'], ['../dev.sqlite'], ['envs/../../../root/.ssh/dev.sqlite'], ['C:/dev.sqlite'], ['..\\dev.sqlite']])(
    'refuses %s: a store (and its private key) stays in the state directory',
    (path) => {
      expect(() => embeddedStorePath(environment('dev', { path }), '/var/lib/intctl')).toThrow(
        new DriverNotAvailableError(`environment dev: spec.path ${JSON.stringify(path)} leaves the state directory; give a relative path inside it`),
      );
    },
  );
});

describe('openDriver', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('opens an embedded environment at its store path, named after the manifest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'intctl-open-driver-'));
    const driver = await openDriver(environment('test', { path: 'test.sqlite' }), { stateDir: dir });
    try {
      expect(driver).toBeInstanceOf(EmbeddedEnvironment);
      expect(driver.name).toBe('test');
      expect((driver as EmbeddedEnvironment).path).toBe(join(dir, 'test.sqlite'));
      expect((await driver.observe()).environment).toBe('test');
    } finally {
      await driver.close();
    }
  });

  it('opens an http environment at spec.url with the token spec.token names, and needs one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'intctl-open-driver-'));
    const env = { ENV_TOKEN: 'the-controller-token' };
    const driver = await openDriver(environment('prod', { driver: 'http', url: 'https://envs.example.com/', token: { env: 'ENV_TOKEN' } }), { stateDir: dir, env });
    expect(driver).toBeInstanceOf(HttpEnvironment);
    expect(driver.name).toBe('prod');
    expect((driver as HttpEnvironment).url).toBe('https://envs.example.com');
    const opening = openDriver(environment('prod', { driver: 'http', url: 'https://envs.example.com' }), { stateDir: dir });
    await expect(opening).rejects.toBeInstanceOf(HttpEnvironmentError);
    await expect(opening).rejects.toThrow('environment prod: spec.token is required for driver http');
    await expect(openDriver(environment('prod', { driver: 'http', url: 'https://envs.example.com', token: { env: 'UNSET' } }), { stateDir: dir, env })).rejects.toThrow(
      'environment prod: spec.token names variable UNSET, which is not set',
    );
  });
});
