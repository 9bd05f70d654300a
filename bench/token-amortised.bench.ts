import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { ConnectionRecord } from '../controller/core/environment-state.ts';
import { generateKeyPair } from '../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../controller/secrets/seal-secret.ts';
import { runtimeFor, warehouseCatalog } from '../test/environment-server/support/runtime-for.ts';
import { startWarehouse, WAREHOUSE_CLIENT, WAREHOUSE_KEY } from '../test/environment-server/support/warehouse.ts';
import { median } from './support/median.ts';

/**
 * Token acquisition amortised: GetItem through the action runtime (in this process) with an
 * OAuth 2.0 client credentials connection, whose token is got once through openid-client and then
 * served from the cache, against the same call with an API key, the cheapest authenticated path.
 * Two instances of the warehouse test service on loopback, one per auth type; sequential calls,
 * alternating the two, after a warm-up; the median latency of each and their ratio (goal: at most
 * 1.05), and the token requests the OAuth warehouse counted (1). Prints, and writes to
 * bench/results/token-amortised.json.
 */

const WARMUP = 200;
const CALLS = 2000;
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function measure(): Promise<void> {
  const keyPair = generateKeyPair();
  const catalog = await warehouseCatalog();
  const byKey = await startWarehouse('apiKey');
  const byToken = await startWarehouse('oauth');
  try {
    const apiKey: ConnectionRecord = {
      name: 'warehouse',
      system: 'openapi',
      authType: 'apiKey',
      parameters: { endpoint: byKey.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
      secrets: { apiKey: { sealed: sealSecret(keyPair.publicKey, WAREHOUSE_KEY) } },
      fingerprint: 'bench-key',
    };
    const oauth: ConnectionRecord = {
      name: 'warehouse',
      system: 'openapi',
      authType: 'oauth2ClientCredentials',
      parameters: { endpoint: byToken.url, clientId: WAREHOUSE_CLIENT.id, tokenUrl: `${byToken.url}/oauth/token`, scopes: ['warehouse'] },
      secrets: { clientSecret: { sealed: sealSecret(keyPair.publicKey, WAREHOUSE_CLIENT.secret) } },
      fingerprint: 'bench-oauth',
    };
    const keyRuntime = runtimeFor(catalog, apiKey, keyPair);
    const tokenRuntime = runtimeFor(catalog, oauth, keyPair);
    const timed = async (runtime: typeof keyRuntime): Promise<number> => {
      const started = performance.now();
      const result = await runtime.invoke('warehouse', 'GetItem', { itemId: 'i1' });
      if (!result.ok) throw new Error(`a call failed: ${JSON.stringify(result.body)}`);
      return performance.now() - started;
    };
    for (let i = 0; i < WARMUP; i++) {
      await timed(keyRuntime);
      await timed(tokenRuntime);
    }
    const key: number[] = [];
    const token: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      key.push(await timed(keyRuntime));
      token.push(await timed(tokenRuntime));
    }
    const result = {
      calls: CALLS,
      apiKeyMedianMs: round(median(key)),
      cachedTokenMedianMs: round(median(token)),
      medianLatencyRatio: round(median(token) / median(key), 3),
      tokenRequests: byToken.tokenRequests,
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'token-amortised.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `\ntoken acquisition amortised (runtime in this process, warehouse on loopback), median over ${CALLS} sequential GetItem calls each:\n` +
        `  API key ${result.apiKeyMedianMs} ms, OAuth 2.0 with a cached token ${result.cachedTokenMedianMs} ms: ratio ${result.medianLatencyRatio} (goal <= 1.05); token requests: ${result.tokenRequests}\n\n`,
    );
    if (byToken.tokenRequests !== 1) throw new Error(`expected one token request, the warehouse counted ${byToken.tokenRequests}`);
  } finally {
    await byKey.close();
    await byToken.close();
  }
}

describe('token acquisition amortised', () => {
  bench('GetItem with a cached OAuth token against an API key', measure, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
