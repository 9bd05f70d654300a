import { EnvironmentUnavailableError } from '../driver.ts';

/**
 * SQLSTATE classes that say "not now" rather than "never": connection exceptions (08),
 * insufficient resources (53), operator intervention (57: shutdown, cancelled), a serialization
 * failure or deadlock (40001, 40P01), a lock not available (55P03). A database that is not accepting
 * connections for the moment (55000, `ALLOW_CONNECTIONS false` during maintenance) is matched by its message.
 */
const TRANSIENT = /^(08|53|57)|^(40001|40P01|55P03)$/;
/** Errors of the connection itself, before PostgreSQL answered. */
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;

/**
 * The boundary between node-postgres and the controller: a database that cannot be reached or is
 * busy becomes EnvironmentUnavailableError (retried with backoff); anything else passes unchanged.
 * `where` names the database in the message.
 */
export function toPostgresStoreError(error: unknown, where: string): unknown {
  if (error instanceof EnvironmentUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as Error | null)?.message ?? String(error);
  const transient = (typeof code === 'string' && (TRANSIENT.test(code) || NETWORK.test(code))) || /Connection terminated|timeout exceeded when trying to connect|not currently accepting connections/i.test(message);
  if (!transient) return error;
  const wrapped = new EnvironmentUnavailableError(`${where}: ${message}${typeof code === 'string' ? ` (${code})` : ''}`);
  wrapped.cause = error;
  return wrapped;
}
