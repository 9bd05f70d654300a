import { actionFailure, type ActionFailure } from '../action-failure.ts';
import type { DatabaseAddress } from './database-pools.ts';

interface DriverError {
  code?: string;
  errno?: number;
  constraint?: string;
  column?: string;
  detail?: string;
  table?: string;
  name?: string;
  message?: string;
  sqlMessage?: string;
}

/** Where an error happened: the action, its table and the database it ran on. */
export interface FailureContext {
  action: string;
  table: string;
  address: DatabaseAddress;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST']);

/**
 * A database error as an action failure that names the action, the table and the column or
 * constraint at fault, and what to do: unique and foreign-key violations are conflicts (409),
 * NULL in a NOT NULL column and values the column cannot hold are rejected input (422), a
 * statement cut off by the timeout is UpstreamTimeout, a database that cannot be reached or
 * refuses the credentials says so with its host and user (never the password: the driver's
 * message never holds it, and the runtime scrubs opened secrets from every failure anyway).
 */
export function databaseFailure(error: unknown, context: FailureContext): ActionFailure {
  const e = (error ?? {}) as DriverError;
  const { action, table, address } = context;
  const where = `${address.kind} database ${address.database} at ${address.host}:${address.port}`;
  const code = e.code ?? '';
  // knex puts the statement before the driver's message; the message is what a person needs.
  const text = (e.sqlMessage ?? e.message ?? String(error)).replace(/^(select|insert|update|delete|with)\b[\s\S]*? - /i, '');
  if (e.name === 'KnexTimeoutError') {
    if (/acquiring a connection/i.test(text)) return actionFailure('UpstreamUnreachable', `${action}: no connection to the ${where} could be opened in time; is it up and reachable from here?`);
    return actionFailure('UpstreamTimeout', `${action}: the statement on ${table} ran past the statement timeout and was cancelled`);
  }
  if (UNREACHABLE.has(code) || /connect ECONNREFUSED|getaddrinfo|Connection terminated unexpectedly|timeout expired/i.test(text)) {
    return actionFailure('UpstreamUnreachable', `${action}: the ${where} cannot be reached (${code || text.split('\n')[0]})`);
  }
  switch (code) {
    case '23505':
    case 'ER_DUP_ENTRY':
      return actionFailure('UpstreamConflict', `${action}: a row of ${table} with the same ${uniqueColumns(e)} already exists (unique constraint ${e.constraint ?? mysqlKey(text) ?? 'violated'})`);
    case '23503':
    case 'ER_NO_REFERENCED_ROW_2':
    case 'ER_NO_REFERENCED_ROW':
      return actionFailure('UpstreamConflict', `${action}: ${foreignKey(e, text)} of ${table} must reference an existing row of ${referencedTable(e, text)} (foreign key ${e.constraint ?? mysqlConstraint(text) ?? ''})`.replace(' ()', ''));
    case 'ER_ROW_IS_REFERENCED_2':
    case 'ER_ROW_IS_REFERENCED':
      return actionFailure('UpstreamConflict', `${action}: the row of ${table} is still referenced by rows of another table (foreign key ${mysqlConstraint(text) ?? 'violated'}); delete or change those first`);
    case '23502':
    case 'ER_BAD_NULL_ERROR':
    case 'ER_NO_DEFAULT_FOR_FIELD':
      return actionFailure('UpstreamRejected', `${action}: column ${e.column ?? /(?:Column|Field) '([^']+)'/.exec(text)?.[1] ?? '?'} of ${table} may not be null; give it a value`);
    case '57014':
    case 'ER_STATEMENT_TIMEOUT':
    case 'ER_QUERY_TIMEOUT':
      return actionFailure('UpstreamTimeout', `${action}: the statement on ${table} ran past the statement timeout and was cancelled`);
    case '28P01':
    case '28000':
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return actionFailure('UpstreamUnauthorized', `${action}: the ${where} refused the credentials of user ${address.user}; check the connection's username and password`);
    case '3D000':
    case 'ER_BAD_DB_ERROR':
      return actionFailure('UpstreamFailed', `${action}: the ${where} does not exist; check the connection's endpoint`);
    case '42P01':
    case '3F000':
    case 'ER_NO_SUCH_TABLE':
      return actionFailure('UpstreamFailed', `${action}: table ${table} does not exist in the ${where}; the database changed since the schema snapshot: run intctl introspect`);
    case '42703':
    case 'ER_BAD_FIELD_ERROR':
      return actionFailure('UpstreamFailed', `${action}: a column of ${table} does not exist in the ${where} (${text.split('\n')[0]}); the database changed since the schema snapshot: run intctl introspect`);
    case '42501':
    case 'ER_TABLEACCESS_DENIED_ERROR':
      return actionFailure('UpstreamUnauthorized', `${action}: user ${address.user} may not do this on ${table} (${text.split('\n')[0]})`);
  }
  if (/^22/.test(code) || /^ER_(TRUNCATED|DATA_TOO_LONG|WARN_DATA|INVALID_JSON|WRONG_VALUE|DATETIME|CHECK_CONSTRAINT)/.test(code) || code === '23514' || e.errno === 4025) {
    return actionFailure('UpstreamRejected', `${action}: ${table} cannot hold a value given: ${text.split('\n')[0]}`);
  }
  return actionFailure('UpstreamFailed', `${action}: the ${where} failed${code ? ` (${code})` : ''}: ${text.split('\n')[0]}`);
}

function uniqueColumns(e: DriverError): string {
  const columns = /^Key \((.*?)\)=/.exec(e.detail ?? '')?.[1];
  if (columns) return columns;
  return mysqlKey(e.sqlMessage ?? e.message ?? '') ?? 'key';
}

function mysqlKey(text: string): string | undefined {
  return /for key '(?:[^'.]*\.)?([^']+)'/.exec(text)?.[1];
}

function mysqlConstraint(text: string): string | undefined {
  return /CONSTRAINT `([^`]+)`/.exec(text)?.[1];
}

function foreignKey(e: DriverError, text: string): string {
  const pg = /^Key \((.*?)\)=/.exec(e.detail ?? '')?.[1];
  if (pg) return pg;
  const my = /FOREIGN KEY \(([^)]*)\)/.exec(text)?.[1];
  return my ? my.replace(/`/g, '') : 'a column';
}

function referencedTable(e: DriverError, text: string): string {
  return /table "([^"]+)"/.exec(e.detail ?? '')?.[1] ?? /REFERENCES `([^`]+)`/.exec(text)?.[1] ?? 'the referenced table';
}
