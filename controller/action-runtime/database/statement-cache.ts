import { isDeepStrictEqual } from 'node:util';
import knex, { type Knex } from 'knex';
import type { CatalogAction } from '../../core/catalog.ts';
import { buildStatement, type CompiledStatement, type DatabaseStatement } from './database-statement.ts';

/** A statement ready to run: its SQL text in the driver's own placeholders, and the values bound to them. */
export interface ReadyStatement {
  compiled: CompiledStatement;
  bindings: unknown[];
}

/**
 * The SQL text of each shape of each action's statements, compiled by knex once: a published
 * action never changes under its object (the store keeps one catalog per publication), so the
 * cache is keyed by the action object, and a changed catalog is a new object that compiles
 * afresh. A shape's text is kept only when knex bound exactly the statement's own values, in
 * their order; a shape it binds otherwise is compiled again on every call. Past `limit` shapes
 * per action (lists of every length are shapes of their own) they are forgotten.
 */
export class StatementCache {
  readonly #byAction = new WeakMap<CatalogAction, Map<string, CompiledStatement | null>>();
  readonly #limit: number;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  /** The statement's SQL text and values, from the cache when its shape was compiled before. */
  ready(db: Knex, action: CatalogAction, statement: DatabaseStatement): ReadyStatement {
    let shapes = this.#byAction.get(action);
    if (shapes === undefined) {
      shapes = new Map();
      this.#byAction.set(action, shapes);
    }
    const known = shapes.get(statement.shape);
    if (known) return { compiled: known, bindings: statement.values };
    const fresh = compileStatement(db, statement);
    if (known === undefined) {
      if (shapes.size >= this.#limit) shapes.clear();
      shapes.set(statement.shape, isDeepStrictEqual(fresh.bindings, statement.values) ? fresh.compiled : null);
    }
    return fresh;
  }
}

/** The statement compiled by knex now, with the values knex bound. */
export function compileStatement(db: Knex, statement: DatabaseStatement): ReadyStatement {
  const sql = buildStatement(db, statement).toSQL() as Knex.Sql & { options?: unknown };
  const native = sql.toNative();
  return { compiled: { sql: native.sql, method: sql.method, options: sql.options }, bindings: [...native.bindings] };
}

/** What of knex's client a statement runs with: its pool and the driver calls of its dialect. */
interface KnexClient {
  acquireConnection(): Promise<KnexConnection>;
  releaseConnection(connection: KnexConnection): Promise<unknown>;
  _query(connection: KnexConnection, query: object): Promise<object>;
  processResponse(response: object, runner: undefined): unknown;
  cancelQuery(connection: KnexConnection): Promise<unknown>;
}

type KnexConnection = { __knex__disposed?: unknown };

/**
 * Runs a ready statement on a connection of the pool, as knex's runner would run the query it
 * was compiled from, without building it again: the answer read by the dialect (a row for
 * `first`, rows, a count of rows deleted), and past `timeoutMs` the statement cancelled on the
 * server and a KnexTimeoutError thrown (a connection whose statement could not be cancelled is
 * not used again).
 */
export async function runStatement(db: Knex, ready: ReadyStatement, timeoutMs: number): Promise<unknown> {
  const client = db.client as unknown as KnexClient;
  const connection = await client.acquireConnection();
  try {
    const query = { sql: ready.compiled.sql, bindings: ready.bindings, method: ready.compiled.method, options: ready.compiled.options };
    const answered = await withTimeout(client._query(connection, query), timeoutMs);
    if (answered === TIMED_OUT) {
      try {
        await client.cancelQuery(connection);
      } catch (cancelError) {
        connection.__knex__disposed = cancelError;
        throw Object.assign(cancelError as Error, { message: `After query timeout of ${timeoutMs}ms exceeded, cancelling of query failed.` });
      }
      throw new knex.KnexTimeoutError(`Defined query timeout of ${timeoutMs}ms exceeded when running query.`);
    }
    return client.processResponse(answered, undefined);
  } finally {
    await client.releaseConnection(connection);
  }
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(TIMED_OUT), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
