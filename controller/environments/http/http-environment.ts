import { ActionRefusedError, type ActionRefusedReason } from '../action-refused-error.ts';
import { EnvironmentUnavailableError, LeaseLostError, StalePlanError, type AppliedAction, type ApplyContext, type ApplyOutcome, type EnvironmentDriver, type Lease } from '../driver.ts';
import type { ObservedState } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { KeyPairVerdict, SealedKeyPair } from '../../secrets/verify-key-pair.ts';
import { HttpEnvironmentError } from './http-environment-error.ts';

export interface HttpEnvironmentOptions {
  /** The environment's name in the repository; the server must serve the same one. */
  name: string;
  /** The environment server's base URL. */
  url: string;
  /** The controller's bearer token. */
  token: string;
  /** How long one request may take before the environment counts as unavailable. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What the server answered: its status and its JSON body (undefined when it had none). */
export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** Sealed values a verify request carries at most (the API allows 10,000). */
const VERIFY_BATCH = 1000;

/** Key pairs a verify request carries at most (the API allows 1,000; each holds a key and a certificate chain). */
const KEY_PAIR_BATCH = 100;

const VERDICTS: readonly KeyPairVerdict[] = ['matches', 'mismatch', 'unreadable', 'unopened'];

const REFUSALS: readonly ActionRefusedReason[] = ['PlainSecretRefused', 'SecretUnsealFailed', 'InvalidAction'];

/**
 * The `http` environment driver: the EnvironmentDriver interface over the Environment API
 * (specs/environment-api.yaml) of an environment server. The server keeps the same store and
 * semantics as the embedded driver, so the same contract suite runs against both. Statuses
 * become the driver's errors at this boundary: 409 LeaseLostError (or StalePlanError), 422 ActionRefusedError, 5xx,
 * 429 and network failures EnvironmentUnavailableError (retried), 401 and 403
 * HttpEnvironmentError (needs a human).
 */
export class HttpEnvironment implements EnvironmentDriver {
  readonly name: string;
  readonly url: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  #publicKey: string | undefined;

  constructor(options: HttpEnvironmentOptions) {
    this.name = options.name;
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async publicKey(): Promise<string> {
    if (this.#publicKey !== undefined) return this.#publicKey;
    const info = (await this.#expect('GET', '/v1/environment', undefined, [200])).body as { name: string; publicKey: string };
    this.#checkName(info.name);
    this.#publicKey = info.publicKey;
    return info.publicKey;
  }

  async fingerprintKey(): Promise<string> {
    return ((await this.#expect('GET', '/v1/environment/fingerprint-key', undefined, [200])).body as { fingerprintKey: string }).fingerprintKey;
  }

  async observe(): Promise<ObservedState> {
    const state = (await this.#expect('GET', '/v1/state', undefined, [200])).body as ObservedState;
    this.#checkName(state.environment);
    return state;
  }

  async acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined> {
    const answer = await this.#expect('POST', '/v1/lease', { holder, ttlMs }, [200, 409]);
    if (answer.status === 409 && (answer.body as { error?: string } | undefined)?.error === 'LeaseHeld') return undefined;
    if (answer.status === 409) throw new LeaseLostError(messageOf(answer));
    return answer.body as Lease;
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    const answer = await this.#expect('POST', '/v1/lease/renew', { lease, ttlMs }, [200, 409]);
    if (answer.status === 409) throw new LeaseLostError(messageOf(answer));
    return answer.body as Lease;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.#expect('POST', '/v1/lease/release', { lease }, [204]);
  }

  async apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome> {
    const answer = await this.#expect('POST', '/v1/actions', { action, context }, [200, 409, 422]);
    this.#throwRefusal(answer);
    return (answer.body as { outcome: ApplyOutcome }).outcome;
  }

  /** Applies actions as one (`POST /v1/actions/unit`): the server runs them in one transaction, all or none. */
  async applyUnit(actions: readonly PlanAction[], context: ApplyContext): Promise<ApplyOutcome[]> {
    if (actions.length === 0) return [];
    const answer = await this.#expect('POST', '/v1/actions/unit', { actions, context }, [200, 409, 422]);
    this.#throwRefusal(answer);
    const outcomes = (answer.body as { outcomes?: unknown }).outcomes;
    if (!Array.isArray(outcomes) || outcomes.length !== actions.length) {
      throw new HttpEnvironmentError('EnvironmentProtocolError', `environment ${this.name} (${this.url}): POST /v1/actions/unit did not answer one outcome for each of ${actions.length} actions`);
    }
    return outcomes as ApplyOutcome[];
  }

  async actionLog(): Promise<AppliedAction[]> {
    return ((await this.#expect('GET', '/v1/actions', undefined, [200])).body as { actions: AppliedAction[] }).actions;
  }

  /**
   * Asks the server which sealed values open with its key (`POST /v1/secrets/verify`, at most
   * VERIFY_BATCH values a request); it answers only that.
   */
  async verifySealed(sealed: readonly string[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let start = 0; start < sealed.length; start += VERIFY_BATCH) {
      const batch = sealed.slice(start, start + VERIFY_BATCH);
      const opens = ((await this.#expect('POST', '/v1/secrets/verify', { sealed: batch }, [200])).body as { opens?: unknown }).opens;
      if (!Array.isArray(opens) || opens.length !== batch.length) {
        throw new HttpEnvironmentError('EnvironmentProtocolError', `environment ${this.name} (${this.url}): POST /v1/secrets/verify did not answer one verdict for each of ${batch.length} sealed values`);
      }
      out.push(...(opens as boolean[]));
    }
    return out;
  }

  /**
   * Asks the server whether each sealed key belongs to its certificate
   * (`POST /v1/secrets/verify-key-pairs`, at most KEY_PAIR_BATCH pairs a request); it answers one
   * verdict a pair and nothing of the keys.
   */
  async verifyKeyPairs(pairs: readonly SealedKeyPair[]): Promise<KeyPairVerdict[]> {
    const out: KeyPairVerdict[] = [];
    for (let start = 0; start < pairs.length; start += KEY_PAIR_BATCH) {
      const batch = pairs.slice(start, start + KEY_PAIR_BATCH);
      const verdicts = ((await this.#expect('POST', '/v1/secrets/verify-key-pairs', { pairs: batch }, [200])).body as { verdicts?: unknown }).verdicts;
      if (!Array.isArray(verdicts) || verdicts.length !== batch.length || !verdicts.every((v) => VERDICTS.includes(v as KeyPairVerdict))) {
        throw new HttpEnvironmentError('EnvironmentProtocolError', `environment ${this.name} (${this.url}): POST /v1/secrets/verify-key-pairs did not answer one verdict for each of ${batch.length} key pairs`);
      }
      out.push(...(verdicts as KeyPairVerdict[]));
    }
    return out;
  }

  /**
   * Runs a published action on the server (`POST /v1/integrations/{name}/actions/{action}`) and
   * returns what it answered, error bodies included: the caller shows them as they are.
   */
  async invoke(integration: string, action: string, input: unknown): Promise<HttpAnswer> {
    return this.#request('POST', `/v1/integrations/${encodeURIComponent(integration)}/actions/${encodeURIComponent(action)}`, input);
  }

  async close(): Promise<void> {}

  async #expect(method: string, path: string, body: unknown, expected: number[]): Promise<HttpAnswer> {
    const answer = await this.#request(method, path, body);
    if (expected.includes(answer.status)) return answer;
    const where = `environment ${this.name} (${this.url}): ${method} ${path}`;
    if (answer.status === 401 || answer.status === 403) {
      throw new HttpEnvironmentError('EnvironmentUnauthorized', `${where} was refused (${answer.status}): ${messageOf(answer)}; check spec.token`);
    }
    if (answer.status === 429 || answer.status >= 500) throw new EnvironmentUnavailableError(`${where} answered ${answer.status}: ${messageOf(answer)}`);
    throw new HttpEnvironmentError('EnvironmentProtocolError', `${where} answered ${answer.status}: ${messageOf(answer)}`);
  }

  async #request(method: string, path: string, body: unknown): Promise<HttpAnswer> {
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      const wrapped = new EnvironmentUnavailableError(`environment ${this.name} (${this.url}) cannot be reached: ${cause}`);
      wrapped.cause = error;
      throw wrapped;
    }
    if (text === '') return { status: response.status, body: undefined };
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      if (response.status >= 500) return { status: response.status, body: undefined };
      throw new HttpEnvironmentError('EnvironmentProtocolError', `environment ${this.name} (${this.url}): ${method} ${path} answered ${response.status} with a body that is not JSON`);
    }
  }

  /** An apply's 409 and 422 as the driver's errors: StalePlanError, LeaseLostError, ActionRefusedError. */
  #throwRefusal(answer: HttpAnswer): void {
    if (answer.status === 409 && (answer.body as { error?: string } | undefined)?.error === 'StalePlan') throw new StalePlanError(messageOf(answer));
    if (answer.status === 409) throw new LeaseLostError(messageOf(answer));
    if (answer.status === 422) {
      const reason = (answer.body as { reason?: string } | undefined)?.reason as ActionRefusedReason;
      throw new ActionRefusedError(REFUSALS.includes(reason) ? reason : 'InvalidAction', messageOf(answer));
    }
  }

  #checkName(served: string): void {
    if (served !== this.name) {
      throw new HttpEnvironmentError('EnvironmentMismatch', `${this.url} serves environment ${served}, not ${this.name}; check spec.url`);
    }
  }
}

function messageOf(answer: HttpAnswer): string {
  const body = answer.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : `status ${answer.status}`;
}
