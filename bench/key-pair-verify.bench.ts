import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { HttpEnvironment } from '../controller/environments/http/http-environment.ts';
import { sealSecret } from '../controller/secrets/seal-secret.ts';
import type { SealedKeyPair } from '../controller/secrets/verify-key-pair.ts';
import { pkcs12Of, selfSignedIdentity } from '../test/support/test-pki.ts';
import { CONTROLLER, startEnvironmentServer } from './support/environment-server.ts';
import { median } from './support/median.ts';

/**
 * What checking sealed private keys against their certificates adds to a plan: the request a
 * plan makes to an environment server (`intctl environment serve` in its own process, SQLite,
 * loopback) for one PEM key (RSA 2048), for 100 of them in one request, and for one PKCS#12 file
 * with a password; beside it, the request a plan already made for one sealed value
 * (verifySealed), the round trip alone. Sequential requests after a warm-up; medians. Prints,
 * and writes to bench/results/key-pair-verify.json.
 */

const WARMUP = 5;
const ROUNDS = 40;
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function timed(runs: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    ms.push(performance.now() - started);
  }
  return round(median(ms));
}

async function measure(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-bench-key-pairs-'));
  const { url, child } = await startEnvironmentServer(dir);
  try {
    const driver = new HttpEnvironment({ name: 'bench', url, token: CONTROLLER });
    const publicKey = await driver.publicKey();
    const identity = selfSignedIdentity('intctl-runtime');
    const pem: SealedKeyPair = { privateKey: sealSecret(publicKey, identity.keyPem), certificate: identity.certificatePem };
    const p12: SealedKeyPair = { privateKey: sealSecret(publicKey, pkcs12Of(identity, 'bench-pass')), keyPassword: sealSecret(publicKey, 'bench-pass'), certificate: identity.certificatePem };
    const hundred = Array.from({ length: 100 }, () => ({ ...pem, privateKey: sealSecret(publicKey, identity.keyPem) }));
    const check = async (pairs: SealedKeyPair[]) => {
      const verdicts = await driver.verifyKeyPairs(pairs);
      if (verdicts.some((v) => v !== 'matches')) throw new Error(`expected every key to match: ${verdicts.join(', ')}`);
    };
    const result = {
      verifySealedOneValueMedianMs: await timed(ROUNDS, () => driver.verifySealed([pem.privateKey])),
      onePemKeyMedianMs: await timed(ROUNDS, () => check([pem])),
      hundredPemKeysMedianMs: await timed(10, () => check(hundred)),
      onePkcs12KeyMedianMs: await timed(ROUNDS, () => check([p12])),
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'key-pair-verify.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `\nkey pairs checked by an environment server (own process, loopback), medians:\n` +
        `  one sealed value (verifySealed, the round trip alone) ${result.verifySealedOneValueMedianMs} ms\n` +
        `  one PEM key ${result.onePemKeyMedianMs} ms, 100 PEM keys in one request ${result.hundredPemKeysMedianMs} ms, one PKCS#12 file ${result.onePkcs12KeyMedianMs} ms\n\n`,
    );
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('key pairs checked at plan time', () => {
  bench('verifyKeyPairs through the environment server', measure, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
