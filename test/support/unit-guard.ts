/**
 * Setup of the unit tier (vitest.config.ts): a test there may not start a process, listen on a
 * port (a server), or open a database. The call is refused, and the test fails
 * naming it even when the code under test catches the refusal, so that a slow test cannot land
 * in the edit loop's tier unnoticed. Git runs as a process, so it is caught too. Such a test
 * belongs in the integration tier: take it out of UNIT.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterEach, vi } from 'vitest';

const MOVE = 'unit tests run no processes, servers or databases: take the test out of UNIT in vitest.config.ts';
const refused: string[] = [];

function refuse(what: string): never {
  refused.push(what);
  throw new Error(`${what}: ${MOVE}`);
}

afterEach(() => {
  const calls = refused.splice(0);
  if (calls.length > 0) throw new Error(`${calls.join(', ')}: ${MOVE}`);
});

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.defineProperty(childProcess, name, { value: (command: unknown) => refuse(`child_process.${name}(${JSON.stringify(command)})`), configurable: true, writable: true });
}
net.Server.prototype.listen = function listen(): never {
  return refuse('net.Server.listen');
};
// Named imports of node:child_process in ES modules see the refusals too.
syncBuiltinESMExports();

// SQLite is a database in the same process: opening one is refused as well.
vi.mock('better-sqlite3', async (importOriginal) => {
  const { default: original } = await importOriginal<{ default: { SqliteError: unknown } }>();
  const Database = function Database(path: unknown): never {
    return refuse(`new Database(${JSON.stringify(path)}) (better-sqlite3)`);
  };
  return { default: Object.assign(Database, { SqliteError: original.SqliteError }) };
});
