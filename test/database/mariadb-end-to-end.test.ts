import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/time.ts';
import { createActionRuntime } from '../../controller/action-runtime/action-runtime.ts';
import { serveEnvironment, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { introspect, introspectAndApply, invoke, output, TOKEN_VARIABLE, writeDatabaseRepo, type DatabaseRepo } from './support/database-repo.ts';
import { dropDatabase, mariadbClient, uniqueDatabase } from './support/mariadb.ts';

const database = uniqueDatabase();
/** A user of its own, with a password: the connection's credentials (root's is empty, which a connection cannot give). */
const user = `u_${database.slice(-12)}`;
const PASSWORD = 'maria-test-password';
let client: mysql.Connection;
let served: ServedEnvironment;
let work: string;
let shop: DatabaseRepo;
let snapshot: string;

const SETUP = `
  CREATE TABLE customers (
    id bigint unsigned AUTO_INCREMENT PRIMARY KEY,
    email varchar(200) NOT NULL UNIQUE,
    name text,
    active tinyint(1) NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL DEFAULT current_timestamp()
  ) COMMENT 'People who order.';
  CREATE TABLE orders (
    id int AUTO_INCREMENT PRIMARY KEY,
    customer_id bigint unsigned NOT NULL,
    status enum('open', 'paid', 'it''s shipped') NOT NULL DEFAULT 'open',
    total decimal(14,2),
    quantity smallint,
    weight double,
    placed_on date,
    placed_at datetime,
    pickup time,
    details json,
    receipt blob,
    note varchar(40) COMMENT 'Free text.',
    big bigint,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
  );
  CREATE TABLE order_lines (
    order_id int NOT NULL,
    line_no int NOT NULL,
    sku varchar(20) NOT NULL,
    amount decimal(14,4) NOT NULL,
    PRIMARY KEY (order_id, line_no),
    CONSTRAINT lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
  );
  CREATE TABLE audit_log (at datetime NOT NULL, entry text);
  CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
  INSERT INTO customers (email, name, created_at) VALUES ('ada@example.com', 'Ada', '2024-01-02 03:04:05'), ('bob@example.com', NULL, '2024-02-03 02:05:06');
  INSERT INTO orders (customer_id, status, total, quantity, weight, placed_on, placed_at, pickup, details, receipt, note, big) VALUES
    (1, 'paid', 1234.50, 3, 2.5, '2024-03-04', '2024-03-04 10:11:12', '09:30:00', '{"gift": true, "n": [1, 2]}', x'00ff10', 'first', 9007199254740993),
    (1, 'open', 99.99, 1, NULL, NULL, NULL, NULL, NULL, NULL, 'O''Brien; DROP TABLE orders; --', -5),
    (2, 'it''s shipped', 250.00, 7, 0.125, '2023-12-31', '2023-12-31 23:59:59', '23:59:59', '[]', x'', 'Ünïcödé %_ ok', NULL);
  INSERT INTO order_lines VALUES (1, 1, 'SKU-1', 1.5), (1, 2, 'SKU-2', 2.0000), (2, 1, 'SKU-1', 3.25);
  INSERT INTO audit_log VALUES ('2024-01-01 00:00:00', 'created');
`;

/** The orders in the JSON forms the catalog promises, written out per column in MariaDB's own SQL. */
const ORDER_COLUMNS = `id, CAST(customer_id AS CHAR) AS customer_id, status, CAST(total AS CHAR) AS total, quantity, weight,
  DATE_FORMAT(placed_on, '%Y-%m-%d') AS placed_on, DATE_FORMAT(placed_at, '%Y-%m-%dT%H:%i:%s') AS placed_at, CAST(pickup AS CHAR) AS pickup,
  details, TO_BASE64(receipt) AS receipt, note, CAST(big AS CHAR) AS big`;

/** Direct SQL, json columns parsed where the driver gives them as text. */
async function direct(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const [rows] = (await client.query(sql, values)) as [Record<string, unknown>[], unknown];
  return rows.map((row) => ({ ...row, ...('details' in row ? { details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details } : {}) }));
}

beforeAll(async () => {
  client = await mariadbClient();
  await client.query(`CREATE DATABASE \`${database}\``);
  await client.query(`USE \`${database}\``);
  await client.query(SETUP);
  for (const host of ['%', 'localhost', '127.0.0.1']) await client.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON \`${database}\`.* TO '${user}'@'${host}'`);
  served = await serveEnvironment({ name: 'dev' });
  work = await mkdtemp(join(tmpdir(), 'intctl-mariadb-'));
  shop = await writeDatabaseRepo(work, served, { system: 'mysql', endpoint: `mysql://127.0.0.1:3306/${database}`, username: user, password: PASSWORD, schema: database });
  snapshot = await introspectAndApply(shop);
}, 120_000);
afterAll(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served?.close();
  await dropDatabase(database);
  for (const host of ['%', 'localhost', '127.0.0.1']) await client?.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
  await client?.end();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a MariaDB database introspected, generated, published and served', () => {
  it('introspects tables, a view, a composite key, foreign keys, auto-increment, enums, json and comments into the snapshot', () => {
    const read = JSON.parse(snapshot) as { dialect: string; tables: Array<{ name: string; kind: string; comment?: string; columns: Array<Record<string, unknown>>; primaryKey: string[]; uniqueKeys: string[][]; foreignKeys: unknown[] }> };
    expect(read.dialect).toBe('mariadb');
    expect(read.tables.map((t) => [t.name, t.kind])).toEqual([['audit_log', 'table'], ['big_orders', 'view'], ['customers', 'table'], ['order_lines', 'table'], ['orders', 'table']]);
    const orders = read.tables.find((t) => t.name === 'orders')!;
    expect(orders.columns.map((c) => c.type)).toEqual(['int(11)', 'bigint(20) unsigned', "enum('open','paid','it''s shipped')", 'decimal(14,2)', 'smallint(6)', 'double', 'date', 'datetime', 'time', 'json', 'blob', 'varchar(40)', 'bigint(20)']);
    expect(orders.columns[0]).toMatchObject({ name: 'id', generated: 'identity' });
    expect(orders.columns[2]).toMatchObject({ enum: ['open', 'paid', "it's shipped"] });
    expect(orders.columns[11]).toMatchObject({ comment: 'Free text.' });
    expect(orders.foreignKeys).toEqual([{ name: 'orders_customer', columns: ['customer_id'], references: { table: 'customers', columns: ['id'] } }]);
    expect(read.tables.find((t) => t.name === 'customers')).toMatchObject({ comment: 'People who order.', uniqueKeys: [['email']] });
    expect(read.tables.find((t) => t.name === 'order_lines')!.primaryKey).toEqual(['order_id', 'line_no']);
  });

  it('Get, Search and Count return what direct SQL returns; tinyint(1) is a boolean, timestamps are read in UTC', async () => {
    const rows = await direct(`SELECT ${ORDER_COLUMNS} FROM orders ORDER BY id`);
    expect(await output(served, 'SearchOrders', {})).toEqual({ items: rows });
    expect(await output(served, 'GetOrder', { id: 1 })).toEqual(rows[0]);
    expect(rows[0]).toMatchObject({ big: '9007199254740993', receipt: 'AP8Q', total: '1234.50' });
    expect(await output(served, 'CountOrders', {})).toEqual({ count: 3 });
    await client.query("SET time_zone = '+00:00'");
    const customers = (await direct(`SELECT CAST(id AS CHAR) AS id, email, name, active, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') AS created_at FROM customers ORDER BY id`)).map((c) => ({ ...c, active: c.active === 1 }));
    expect(await output(served, 'SearchCustomers', {})).toEqual({ items: customers });
    expect(await output(served, 'GetOrderLine', { order_id: 1, line_no: 2 })).toEqual({ order_id: 1, line_no: 2, sku: 'SKU-2', amount: '2.0000' });
    expect(await output(served, 'SearchBigOrders', { orderBy: [{ attribute: 'total', direction: 'desc' }] })).toEqual({ items: [{ id: 1, total: '1234.50' }, { id: 3, total: '250.00' }] });
  });

  it('Search filters, orders and pages as SQL does', async () => {
    const ids = async (input: unknown): Promise<number[]> => ((await output(served, 'SearchOrders', input)) as { items: Array<{ id: number }> }).items.map((i) => i.id);
    expect(await ids({ filters: [{ attribute: 'note', operator: 'contains', value: "'Brien; DROP" }] })).toEqual([2]);
    expect(await ids({ filters: [{ attribute: 'note', operator: 'contains', value: '%_' }] })).toEqual([3]);
    expect(await ids({ filters: [{ attribute: 'status', operator: 'in', value: ['paid', "it's shipped"] }], orderBy: [{ attribute: 'total', direction: 'asc' }] })).toEqual([3, 1]);
    expect(await ids({ filters: [{ attribute: 'weight', operator: 'isnull', value: true }] })).toEqual([2]);
    expect(await ids({ orderBy: [{ attribute: 'customer_id', direction: 'desc' }], skip: 1, top: 1 })).toEqual([1]);
    expect(await ids({ filters: [{ attribute: 'big', operator: 'eq', value: '9007199254740993' }] })).toEqual([1]);
  });

  it('Create, Update and Delete change the tables as SQL sees them; the auto-increment key is read back', async () => {
    const created = (await output(served, 'CreateOrder', { record: { customer_id: '2', total: '10.10', details: { deep: ['x'] }, receipt: 'AQID', placed_at: '2025-06-07T08:09:10', status: "it's shipped" } })) as Record<string, unknown>;
    const [row] = await direct(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`, [created.id]);
    expect(created).toEqual(row);
    expect(created).toMatchObject({ total: '10.10', details: { deep: ['x'] }, receipt: 'AQID', placed_at: '2025-06-07T08:09:10' });
    expect(await output(served, 'UpdateOrder', { id: created.id, record: { status: 'paid', note: null } })).toMatchObject({ id: created.id, status: 'paid', note: null });
    const customer = (await output(served, 'CreateCustomer', { record: { email: 'cy@example.com', active: false } })) as Record<string, unknown>;
    expect(customer).toMatchObject({ email: 'cy@example.com', active: false, name: null });
    expect(await output(served, 'CreateOrderLine', { record: { order_id: created.id, line_no: 1, sku: 'X', amount: '0.0001' } })).toEqual({ order_id: created.id, line_no: 1, sku: 'X', amount: '0.0001' });
    expect(await output(served, 'DeleteOrderLine', { order_id: created.id, line_no: 1 })).toEqual({});
    expect(await output(served, 'DeleteOrder', { id: created.id })).toEqual({});
    expect(await direct('SELECT id FROM orders WHERE id = ?', [created.id])).toEqual([]);
  });

  it('names the action, table and column of unique, foreign-key and not-null violations', async () => {
    expect(await invoke(served, 'CreateCustomer', { record: { email: 'ada@example.com' } })).toMatchObject({
      status: 409,
      body: { reason: 'UpstreamConflict', message: `CreateCustomer: a row of ${database}.customers with the same email already exists (unique constraint email)` },
    });
    expect(await invoke(served, 'CreateOrder', { record: { customer_id: '424242' } })).toMatchObject({
      status: 409,
      body: { reason: 'UpstreamConflict', message: `CreateOrder: customer_id of ${database}.orders must reference an existing row of customers (foreign key orders_customer)` },
    });
    expect(await invoke(served, 'DeleteCustomer', { id: '1' })).toMatchObject({ status: 409, body: { reason: 'UpstreamConflict', message: expect.stringContaining('is still referenced') } });
    await client.query(`UPDATE \`${database}\`.orders SET quantity = 0 WHERE quantity IS NULL`);
    await client.query(`ALTER TABLE \`${database}\`.orders MODIFY quantity smallint NOT NULL DEFAULT 0`);
    try {
      expect(await invoke(served, 'UpdateOrder', { id: 2, record: { quantity: null } })).toMatchObject({ status: 422, body: { reason: 'UpstreamRejected', message: `UpdateOrder: column quantity of ${database}.orders may not be null; give it a value` } });
    } finally {
      await client.query(`ALTER TABLE \`${database}\`.orders MODIFY quantity smallint NULL`);
    }
  });

  it('introspect names a wrong password, a database that does not exist and a server it cannot reach; nothing is written', async () => {
    const wrong = await writeDatabaseRepo(work, served, { system: 'mysql', endpoint: `mysql://127.0.0.1:3306/${database}`, username: user, password: 'not-the-password', schema: database, name: 'wrong' });
    const refused = await introspect(wrong, '--write');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`intctl: introspect shop: the mysql database ${database} at 127.0.0.1:3306 refused the credentials of user ${user}; check the connection's username and password; nothing written\n`);
    expect(refused.stderr).not.toContain('not-the-password');
    expect(existsSync(wrong.snapshotPath)).toBe(false);

    const missing = await writeDatabaseRepo(work, served, { system: 'mysql', endpoint: `mysql://127.0.0.1:3306/${database}`, username: user, password: PASSWORD, schema: 'no_such_db', name: 'missing' });
    const absent = await introspect(missing, '--write');
    expect(absent.code).toBe(1);
    expect(existsSync(missing.snapshotPath)).toBe(false);
    expect(absent.stderr).toMatch(/^intctl: introspect shop: database no_such_db does not exist on the server \(databases there that this user sees: .*\); set spec.source.introspect.schemas; nothing written\n$/);

    const away = await writeDatabaseRepo(work, served, { system: 'mysql', endpoint: 'mysql://127.0.0.1:9/test', username: user, password: PASSWORD, schema: 'test', name: 'away' });
    const unreachable = await introspect(away, '--write');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe('intctl: introspect shop: the mysql database test at 127.0.0.1:9 cannot be reached (ECONNREFUSED); nothing written\n');
  });

  it('cancels a statement past the timeout, naming the table', async () => {
    await client.query(`CREATE VIEW \`${database}\`.slow AS SELECT SLEEP(600) AS s`);
    const state = await served.driver.observe();
    const integration = state.integrations[0]!;
    const catalog = structuredClone(integration.catalog) as { actions: Array<{ name: string; request: { database: { table: string; columns: object; key: string[] } } }> };
    const search = catalog.actions.find((a) => a.name === 'SearchAuditLogs')!;
    search.request.database = { ...search.request.database, table: 'slow', columns: {}, key: [] };
    const connection = (await served.store.observe()).connections[0]!;
    const quick = createActionRuntime({ source: { integration: async () => ({ ...integration, catalog }), connection: async () => connection, keyPair: () => served.store.keyPair() }, variables: {}, timeoutMs: 300 });
    const slow = await quick.invoke('shop', 'SearchAuditLogs', {});
    await quick.close!();
    expect(slow).toMatchObject({ ok: false, status: 504, body: { reason: 'UpstreamTimeout', message: `SearchAuditLogs: the statement on ${database}.slow ran past the statement timeout and was cancelled` } });
    // Cancelled on the server too: the sleeping statement goes away, long before its 600 s.
    await until('the cancelled statement to leave the process list', async () => {
      const [running] = (await client.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(600)%' AND INFO NOT LIKE '%PROCESSLIST%'")) as unknown as [Array<{ n: number }>];
      return Number(running[0]!.n) === 0;
    });
  });

  it('opens a new pool when the password a connection reads changes: refused with the wrong one, served once it is right', async () => {
    const integration = (await served.driver.observe()).integrations[0]!;
    const connection = (await served.store.observe()).connections[0]!;
    const variables: Record<string, string> = { SHOP_DB_PASSWORD: 'not-the-password' };
    const runtime = createActionRuntime({
      source: { integration: async () => integration, connection: async () => ({ ...connection, secrets: { password: { env: 'SHOP_DB_PASSWORD' } } }), keyPair: () => served.store.keyPair() },
      variables,
    });
    try {
      expect(await runtime.invoke('shop', 'CountOrders', {})).toMatchObject({ ok: false, body: { reason: 'UpstreamUnauthorized', message: `CountOrders: the mysql database ${database} at 127.0.0.1:3306 refused the credentials of user ${user}; check the connection's username and password` } });
      variables.SHOP_DB_PASSWORD = PASSWORD;
      expect(await runtime.invoke('shop', 'CountOrders', {})).toMatchObject({ ok: true, output: { count: 3 } });
    } finally {
      await runtime.close!();
    }
  });
});
