/**
 * The contract every environment driver keeps, written against the EnvironmentDriver interface
 * only. driver-contract.test.ts runs it against every driver listed in drivers.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionRefusedError } from '../../controller/environments/action-refused-error.ts';
import { LeaseLostError, StalePlanError, type ApplyContext, type EnvironmentDriver, type Lease } from '../../controller/environments/driver.ts';
import type { ConnectionRecord, ObservedState } from '../../controller/core/environment-state.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { encryptedKeyOf, pkcs12Of, selfSignedIdentity, type TestIdentity } from '../support/test-pki.ts';
import { PLAN, PLAN_SUFFIX, connection, deleteConnection, hash, integration, publish, unpublish, updateDependency, upsert } from './support/plan-fixtures.ts';

export interface DriverUnderTest {
  driver: EnvironmentDriver;
  cleanup: () => Promise<void>;
  /** Moves the environment's clock forward, so lease expiry is tested without sleeping. */
  advanceClock: (ms: number) => void;
}

const TTL = 30_000;
const COMMIT = 'c'.repeat(40);

let identities: { own: TestIdentity; other: TestIdentity } | undefined;
/** Two self-signed identities, made once for every driver: RSA keys take a while to make. */
function keyIdentities(): { own: TestIdentity; other: TestIdentity } {
  identities ??= { own: selfSignedIdentity('intctl-runtime'), other: selfSignedIdentity('intctl-runtime') };
  return identities;
}

const empty = (environment: string): ObservedState => ({
  environment,
  dependencies: {},
  integrations: [],
  connections: [],
  logHead: 0,
  lastApplied: { integrations: {}, connections: {} },
});

/**
 * Runs the driver contract against drivers made by `makeDriver`, a fresh environment each test;
 * `finish` runs after the last, to stop what those environments shared.
 */
export function describeDriverContract(name: string, makeDriver: () => Promise<DriverUnderTest>, finish: () => Promise<void> = async () => {}): void {
  describe(`environment driver contract: ${name}`, () => {
    let env: DriverUnderTest;
    let driver: EnvironmentDriver;
    beforeEach(async () => {
      env = await makeDriver();
      driver = env.driver;
    });
    afterEach(async () => env.cleanup());
    afterAll(finish);

    const lease = async (holder = 'controller-a'): Promise<ApplyContext> => {
      const taken = await driver.acquireLease(holder, TTL);
      if (!taken) throw new Error(`test setup: ${holder} could not take the lease`);
      return { lease: taken, commit: COMMIT, plan: PLAN };
    };
    const applyAll = async (context: ApplyContext, actions: PlanAction[]): Promise<void> => {
      for (const action of actions) expect(await driver.apply(action, context)).toBe('applied');
    };

    it('observes a new environment as empty, with an empty log and its own keys', async () => {
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.actionLog()).toEqual([]);
      expect(Buffer.from(await driver.publicKey(), 'base64')).toHaveLength(32);
      expect(Buffer.from(await driver.fingerprintKey(), 'base64').length).toBeGreaterThanOrEqual(32);
      expect(await driver.publicKey()).toBe(await driver.publicKey());
    });

    const crm = connection('crm');
    const crmV2 = connection('crm', { apiKey: { file: '/run/secrets/crm' } }, 'crm-fp-2');
    const cases: Array<{ title: string; before: PlanAction[]; action: PlanAction; expected: (name: string) => Partial<ObservedState>; result: string; target: string }> = [
      {
        title: 'UpdateDependency installs a version',
        before: [],
        action: updateDependency('2.4.0'),
        expected: () => ({ dependencies: { 'integration-utils': '2.4.0' } }),
        result: '2.4.0',
        target: 'integration-utils',
      },
      {
        title: 'UpdateDependency replaces the installed version',
        before: [updateDependency('2.4.0')],
        action: updateDependency('3.0.0'),
        expected: () => ({ dependencies: { 'integration-utils': '3.0.0' } }),
        result: '3.0.0',
        target: 'integration-utils',
      },
      {
        title: 'UpsertConnection stores a connection',
        before: [],
        action: upsert(crm),
        expected: () => ({ connections: [crm], lastApplied: { integrations: {}, connections: { crm: 'crm-fp' } } }),
        result: 'crm-fp',
        target: 'crm',
      },
      {
        title: 'UpsertConnection replaces a connection',
        before: [upsert(crm)],
        action: upsert(crmV2),
        expected: () => ({ connections: [crmV2], lastApplied: { integrations: {}, connections: { crm: 'crm-fp-2' } } }),
        result: 'crm-fp-2',
        target: 'crm',
      },
      {
        title: 'DeleteConnection removes a connection',
        before: [upsert(crm)],
        action: deleteConnection('crm'),
        expected: () => ({ connections: [] }),
        result: '',
        target: 'crm',
      },
      {
        title: 'Unpublish removes an integration',
        before: [publish(integration('accounts'))],
        action: unpublish('accounts'),
        expected: () => ({ integrations: [] }),
        result: '',
        target: 'accounts',
      },
    ];

    it.each(cases)('$title', async ({ before, action, expected, result, target }) => {
      const context = await lease();
      await applyAll(context, before);
      expect(await driver.apply(action, context)).toBe('applied');
      expect(await driver.observe()).toEqual({ ...empty(driver.name), logHead: before.length + 1, ...expected(driver.name) });
      const log = await driver.actionLog();
      expect(log.at(-1)).toEqual({
        seq: before.length + 1,
        actionId: action.id,
        type: action.type,
        target,
        leaseToken: context.lease.token,
        commit: COMMIT,
        appliedAt: expect.any(String),
        result,
      });
    });

    it('Publish stores the integration as given, stamped with when it was stored', async () => {
      const context = await lease();
      const accounts = integration('accounts');
      expect(await driver.apply(publish(accounts), context)).toBe('applied');
      const observed = await driver.observe();
      expect(observed.integrations).toEqual([{ ...accounts, publishedAt: expect.any(String) }]);
      expect(Number.isNaN(Date.parse(observed.integrations[0]!.publishedAt!))).toBe(false);
      expect(observed.lastApplied).toEqual({ integrations: { accounts: accounts.artifactHash }, connections: {} });
      expect((await driver.actionLog()).map((e) => [e.type, e.target, e.result])).toEqual([['Publish', 'accounts', accounts.artifactHash]]);
    });

    it('skips an action id it already applied, without a second log entry', async () => {
      const context = await lease();
      const first = publish(integration('accounts', 'v1'), 'publish:accounts@0');
      expect(await driver.apply(first, context)).toBe('applied');
      const again = publish(integration('accounts', 'v2'), 'publish:accounts@0');
      expect(await driver.apply(again, context)).toBe('already-applied');
      expect(await driver.actionLog()).toHaveLength(1);
      expect((await driver.observe()).integrations.map((i) => i.artifactHash)).toEqual([hash('v1')]);
    });

    it('refuses an apply whose fencing token is stale after the lease was taken over', async () => {
      const stale = await lease('controller-a');
      env.advanceClock(TTL + 1);
      const taken = await driver.acquireLease('controller-b', TTL);
      expect(taken).toMatchObject({ holder: 'controller-b', token: stale.lease.token + 1 });
      await expect(driver.apply(publish(integration('accounts')), stale)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(driver.renewLease(stale.lease, TTL)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.apply(publish(integration('accounts')), { lease: taken!, commit: COMMIT, plan: PLAN })).toBe('applied');
      expect((await driver.actionLog()).map((e) => e.leaseToken)).toEqual([taken!.token]);
    });

    it('refuses an apply under an expired lease, and under a lease it never gave', async () => {
      const context = await lease();
      const forged: Lease = { ...context.lease, holder: 'someone-else' };
      await expect(driver.apply(updateDependency('1.0.0'), { ...context, lease: forged })).rejects.toBeInstanceOf(LeaseLostError);
      await expect(driver.apply(updateDependency('1.0.0'), { ...context, lease: { ...context.lease, token: context.lease.token + 1 } })).rejects.toBeInstanceOf(LeaseLostError);
      env.advanceClock(TTL + 1);
      await expect(driver.apply(updateDependency('1.0.0'), context)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await driver.actionLog()).toEqual([]);
    });

    it('gives no lease while another holder has it, and gives it once that lease expires', async () => {
      const first = await lease('controller-a');
      expect(await driver.acquireLease('controller-b', TTL)).toBeUndefined();
      env.advanceClock(TTL - 1);
      expect(await driver.acquireLease('controller-b', TTL)).toBeUndefined();
      env.advanceClock(2);
      const second = await driver.acquireLease('controller-b', TTL);
      expect(second).toMatchObject({ environment: driver.name, holder: 'controller-b', token: first.lease.token + 1 });
    });

    it('renews a lease past its first expiry, so a long apply keeps it', async () => {
      const context = await lease();
      env.advanceClock(TTL - 1000);
      const renewed = await driver.renewLease(context.lease, TTL);
      expect(renewed).toMatchObject({ holder: context.lease.holder, token: context.lease.token });
      expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(context.lease.expiresAt));
      env.advanceClock(2000);
      expect(await driver.acquireLease('controller-b', TTL)).toBeUndefined();
      expect(await driver.apply(updateDependency('2.4.0'), { lease: renewed, commit: COMMIT, plan: PLAN })).toBe('applied');
    });

    it('renews a lease that expired while nobody took it, since its token is still current', async () => {
      const context = await lease();
      env.advanceClock(TTL + 1);
      const renewed = await driver.renewLease(context.lease, TTL);
      expect(await driver.apply(updateDependency('2.4.0'), { lease: renewed, commit: COMMIT, plan: PLAN })).toBe('applied');
    });

    it('frees the lease on release, and a stale lease releases nothing', async () => {
      const first = await lease('controller-a');
      await driver.releaseLease(first.lease);
      const second = await driver.acquireLease('controller-b', TTL);
      expect(second).toMatchObject({ holder: 'controller-b', token: first.lease.token + 1 });
      await driver.releaseLease(first.lease);
      expect(await driver.acquireLease('controller-c', TTL)).toBeUndefined();
      await expect(driver.apply(updateDependency('2.4.0'), first)).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('keeps the log append-only and in order: later applies leave earlier entries as they were', async () => {
      const context = await lease();
      await applyAll(context, [updateDependency('2.4.0'), upsert(crm)]);
      const before = await driver.actionLog();
      await applyAll(context, [publish(integration('accounts')), unpublish('accounts')]);
      const after = await driver.actionLog();
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.map((e) => [e.seq, e.actionId])).toEqual([
        [1, `dependency:integration-utils:2.4.0${PLAN_SUFFIX}`],
        [2, `connection:crm:crm-fp${PLAN_SUFFIX}`],
        [3, `publish:accounts:${hash('accounts')}${PLAN_SUFFIX}`],
        [4, `unpublish:accounts${PLAN_SUFFIX}`],
      ]);
      expect((await driver.observe()).logHead).toBe(4);
    });

    it('refuses a stale plan: one made at a log head that another plan has since moved past', async () => {
      const context = await lease();
      const older = { head: 0, id: '0.older' };
      const newer = { head: 0, id: '0.newer' };
      // Both plans were made against the empty log; the newer one is applied first.
      expect(await driver.apply(publish(integration('accounts', 'v2'), 'publish:accounts:v2@0.newer'), { ...context, plan: newer })).toBe('applied');
      await expect(driver.apply(publish(integration('accounts', 'v1'), 'publish:accounts:v1@0.older'), { ...context, plan: older })).rejects.toBeInstanceOf(StalePlanError);
      expect((await driver.observe()).integrations.map((i) => i.artifactHash)).toEqual([hash('v2')]);
      // The newer plan may go on, and a plan made at the new head applies.
      expect(await driver.apply(upsert(crm, 'connection:crm@0.newer'), { ...context, plan: newer })).toBe('applied');
      expect(await driver.apply(unpublish('accounts', 'unpublish:accounts@2.later'), { ...context, plan: { head: 2, id: '2.later' } })).toBe('applied');
      expect((await driver.actionLog()).map((e) => e.actionId)).toEqual(['publish:accounts:v2@0.newer', 'connection:crm@0.newer', 'unpublish:accounts@2.later']);
    });

    it('publishes, unpublishes and publishes again', async () => {
      const context = await lease();
      const v1 = integration('accounts', 'v1');
      const v2 = integration('accounts', 'v2');
      const steps: Array<[PlanAction, string[], Record<string, string>]> = [
        [publish(v1), [hash('v1')], { accounts: hash('v1') }],
        [unpublish('accounts'), [], {}],
        [publish(v2), [hash('v2')], { accounts: hash('v2') }],
      ];
      for (const [action, published, lastApplied] of steps) {
        expect(await driver.apply(action, context)).toBe('applied');
        const observed = await driver.observe();
        expect(observed.integrations.map((i) => i.artifactHash)).toEqual(published);
        expect(observed.lastApplied.integrations).toEqual(lastApplied);
      }
      expect((await driver.actionLog()).map((e) => e.type)).toEqual(['Publish', 'Unpublish', 'Publish']);
    });

    it('tracks the last applied hash and fingerprint per name, from the log', async () => {
      const context = await lease();
      await applyAll(context, [
        publish(integration('accounts', 'a1')),
        publish(integration('orders', 'o1')),
        publish(integration('accounts', 'a2')),
        upsert(crm),
        upsert(connection('erp', {}, 'erp-fp')),
        upsert(crmV2),
        unpublish('orders'),
        deleteConnection('erp'),
      ]);
      expect((await driver.observe()).lastApplied).toEqual({
        integrations: { accounts: hash('a2') },
        connections: { crm: 'crm-fp-2' },
      });
    });

    it('keeps an integration and a connection of the same name apart', async () => {
      const context = await lease();
      await applyAll(context, [publish(integration('crm')), upsert(crm), deleteConnection('crm')]);
      const observed = await driver.observe();
      expect(observed.integrations.map((i) => i.name)).toEqual(['crm']);
      expect(observed.lastApplied).toEqual({ integrations: { crm: hash('crm') }, connections: {} });
    });

    const refused: Array<{ title: string; secrets: (publicKey: string) => Record<string, unknown>; reason: string }> = [
      { title: 'a plain secret', secrets: () => ({ apiKey: { plain: 'dev-only-key' } }), reason: 'PlainSecretRefused' },
      { title: 'a secret sealed to another environment', secrets: () => ({ apiKey: { sealed: sealSecret(generateKeyPair().publicKey, 'k') } }), reason: 'SecretUnsealFailed' },
      { title: 'a secret given two ways', secrets: () => ({ apiKey: { env: 'A', file: '/b' } }), reason: 'InvalidAction' },
      { title: 'a secret given no way', secrets: () => ({ apiKey: {} }), reason: 'InvalidAction' },
    ];

    it.each(refused)('refuses a connection with $title, changing nothing', async ({ secrets, reason }) => {
      const context = await lease();
      const record = connection('crm', secrets(await driver.publicKey()) as ConnectionRecord['secrets']);
      const error = await driver.apply(upsert(record), context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionRefusedError);
      expect(error).toMatchObject({ reason });
      expect(String((error as Error).message)).not.toContain('dev-only-key');
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.actionLog()).toEqual([]);
    });

    it('accepts a secret sealed to its own public key', async () => {
      const context = await lease();
      const record = connection('crm', { apiKey: { sealed: sealSecret(await driver.publicKey(), 'the-key') } });
      expect(await driver.apply(upsert(record), context)).toBe('applied');
      expect((await driver.observe()).connections).toEqual([record]);
    });

    it('applies a unit all or none: a refusal of any of its actions leaves the environment and its log as they were', async () => {
      const context = await lease();
      await applyAll(context, [updateDependency('2.4.0'), publish(integration('accounts'))]);
      const before = await driver.observe();
      const log = await driver.actionLog();
      // A major update and the republish it forces; then an action the environment refuses.
      const forced = { ...integration('accounts', 'accounts-v3'), requires: { 'integration-utils': '^3.0.0' } };
      const refused = { ...publish(integration('orders')), integration: { ...integration('orders'), version: '' } } as PlanAction;
      const unit = [updateDependency('3.0.0'), publish(forced)];
      await expect(driver.applyUnit([...unit, refused], context)).rejects.toMatchObject({ reason: 'InvalidAction' });
      expect(await driver.observe()).toEqual(before);
      expect(await driver.actionLog()).toEqual(log);

      expect(await driver.applyUnit(unit, context)).toEqual(['applied', 'applied']);
      const after = await driver.observe();
      expect(after.dependencies).toEqual({ 'integration-utils': '3.0.0' });
      expect(after.integrations.map((i) => i.requires)).toEqual([forced.requires]);
      expect((await driver.actionLog()).slice(log.length).map((e) => [e.type, e.target])).toEqual([
        ['UpdateDependency', 'integration-utils'],
        ['Publish', 'accounts'],
      ]);
      // Applied again, under the same ids: nothing more happens.
      expect(await driver.applyUnit(unit, context)).toEqual(['already-applied', 'already-applied']);
      expect(await driver.actionLog()).toHaveLength(log.length + 2);
    });

    it('refuses a whole unit under a lease it no longer holds', async () => {
      const context = await lease();
      env.advanceClock(TTL + 1);
      await expect(driver.applyUnit([updateDependency('3.0.0'), publish(integration('accounts'))], context)).rejects.toBeInstanceOf(LeaseLostError);
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.actionLog()).toEqual([]);
    });

    it('tells which sealed values open with its own key, and nothing of what they hold', async () => {
      const own = sealSecret(await driver.publicKey(), 'the-key');
      const other = sealSecret(generateKeyPair().publicKey, 'the-key');
      const bytes = Buffer.from(own, 'base64');
      bytes[bytes.length - 1]! ^= 1;
      const altered = bytes.toString('base64');
      const verdicts = await driver.verifySealed([own, other, altered, 'TODO', own]);
      expect(verdicts).toEqual([true, false, false, false, true]);
      expect(JSON.stringify(verdicts)).not.toContain('the-key');
      expect(await driver.verifySealed([])).toEqual([]);
      // It needs no lease and changes nothing.
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.actionLog()).toEqual([]);
    });

    it('tells whether each sealed private key belongs to its certificate, as the runtime reads keys, and nothing of the keys', async () => {
      const { own, other } = keyIdentities();
      const seal = async (text: string) => sealSecret(await driver.publicKey(), text);
      const foreign = sealSecret(generateKeyPair().publicKey, own.keyPem);
      const chain = `${other.certificatePem}${own.certificatePem}`;
      const verdicts = await driver.verifyKeyPairs([
        { privateKey: await seal(own.keyPem), certificate: own.certificatePem },
        { privateKey: await seal(other.keyPem), certificate: own.certificatePem },
        { privateKey: await seal(own.keyPem), certificate: chain },
        { privateKey: await seal(encryptedKeyOf(own, 'pem-pass')), keyPassword: await seal('pem-pass'), certificate: own.certificatePem },
        { privateKey: await seal(encryptedKeyOf(own, 'pem-pass')), keyPassword: await seal('wrong-pass'), certificate: own.certificatePem },
        { privateKey: await seal(pkcs12Of(own, 'p12-pass')), keyPassword: await seal('p12-pass'), certificate: own.certificatePem },
        { privateKey: await seal(pkcs12Of(own, 'p12-pass')), keyPassword: await seal('p12-pass'), certificate: other.certificatePem },
        { privateKey: await seal('not a key at all'), certificate: own.certificatePem },
        { privateKey: foreign, certificate: own.certificatePem },
        { privateKey: await seal(own.keyPem), keyPassword: sealSecret(generateKeyPair().publicKey, 'x'), certificate: own.certificatePem },
      ]);
      expect(verdicts).toEqual(['matches', 'mismatch', 'matches', 'matches', 'unreadable', 'matches', 'mismatch', 'unreadable', 'unopened', 'unopened']);
      expect(await driver.verifyKeyPairs([])).toEqual([]);
      // It needs no lease and changes nothing.
      expect(await driver.observe()).toEqual(empty(driver.name));
      expect(await driver.actionLog()).toEqual([]);
    });

    it('refuses an action of an unknown type', async () => {
      const context = await lease();
      const action = { id: 'x', type: 'DropEverything', name: 'all' } as unknown as PlanAction;
      await expect(driver.apply(action, context)).rejects.toMatchObject({ reason: 'InvalidAction' });
      expect(await driver.actionLog()).toEqual([]);
    });
  });
}
