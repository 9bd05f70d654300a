import type { Generator } from '../generator.ts';
import type { SchemaSnapshot } from '../sql-shared/schema-snapshot.ts';
import { sqlGenerator } from '../sql-shared/sql-generator.ts';

/**
 * Generates integrations of MySQL and MariaDB databases from a schema snapshot (`intctl
 * introspect`): each table and view of the database an entity; `tinyint(1)` is a boolean, and
 * MariaDB's JSON (a checked longtext) is read as JSON.
 */
export const mysqlGenerator: Generator<SchemaSnapshot> = sqlGenerator('mysql', '1.0.0');
