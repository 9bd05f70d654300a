import type { Generator } from '../generator.ts';
import type { SchemaSnapshot } from '../sql-shared/schema-snapshot.ts';
import { sqlGenerator } from '../sql-shared/sql-generator.ts';

/**
 * Generates integrations of PostgreSQL databases from a schema snapshot (`intctl introspect`):
 * each table and view of the schema an entity, with arrays, enums, json/jsonb, uuid and bytea.
 */
export const postgresqlGenerator: Generator<SchemaSnapshot> = sqlGenerator('postgresql', '1.0.0');
