import { createHash } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ClientKey } from '../secrets/client-key.ts';

/** What a connection's TLS needs: its client certificate and key (mutual TLS), and the authorities it trusts in place of the system's. */
export interface TlsSettings {
  clientKey?: ClientKey;
  caBundle?: string;
}

/** Agents kept at most; the oldest is closed past it (a connection's key changed, say). */
const MAX_AGENTS = 64;

/**
 * The HTTP transports of connections that need their own TLS: one undici Agent per distinct
 * key, certificate chain and CA bundle, kept so that calls reuse its connections (a TLS handshake
 * per call would cost more than the call). The agents are keyed by a hash of that material, so
 * a key read anew from a file after it was rotated gets a new agent; nothing is kept in the
 * clear beyond the agent itself.
 */
export class TlsTransports {
  readonly #agents = new Map<string, { agent: Agent; fetch: typeof fetch }>();
  /** A key's PEM forms, exported once per key read (ClientKeyCache gives the same key to every call). */
  readonly #pems = new WeakMap<ClientKey, { key: string; cert: string }>();

  #pem(clientKey: ClientKey): { key: string; cert: string } {
    const known = this.#pems.get(clientKey);
    if (known) return known;
    const pem = { key: clientKey.key.export({ type: 'pkcs8', format: 'pem' }) as string, cert: clientKey.certificates.map((c) => c.toString()).join('\n') };
    this.#pems.set(clientKey, pem);
    return pem;
  }

  /** The fetch for these settings, or undefined when they ask nothing of TLS (the default transport serves). */
  fetchFor(settings: TlsSettings): typeof fetch | undefined {
    return this.transportFor(settings)?.fetch;
  }

  /** The agent for these settings and a fetch through it, or undefined when they ask nothing of TLS (the default transport serves). */
  transportFor(settings: TlsSettings): { agent: Agent; fetch: typeof fetch } | undefined {
    if (settings.clientKey === undefined && (settings.caBundle === undefined || settings.caBundle.trim() === '')) return undefined;
    const { key, cert } = settings.clientKey ? this.#pem(settings.clientKey) : { key: undefined, cert: undefined };
    const id = createHash('sha256').update(JSON.stringify([key ?? '', cert ?? '', settings.caBundle ?? ''])).digest('hex');
    const known = this.#agents.get(id);
    if (known) return known;
    const agent = new Agent({
      connect: {
        ...(key !== undefined ? { key } : {}),
        ...(cert !== undefined && cert !== '' ? { cert } : {}),
        ...(settings.caBundle !== undefined && settings.caBundle.trim() !== '' ? { ca: settings.caBundle } : {}),
      },
    });
    const send = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof fetch;
    const made = { agent, fetch: send };
    this.#agents.set(id, made);
    if (this.#agents.size > MAX_AGENTS) {
      const [oldest, entry] = this.#agents.entries().next().value!;
      this.#agents.delete(oldest);
      void entry.agent.close();
    }
    return made;
  }

  /** Closes every agent and its connections. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.agent.close()));
  }
}
