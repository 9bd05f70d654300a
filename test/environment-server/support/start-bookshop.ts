import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const BOOKSHOP_DIR = join(import.meta.dirname, '..', 'fixtures', 'bookshop');
export const BOOKSHOP_USER = { username: 'alice', password: 'wonderland' };

export interface Bookshop {
  /** The OData v4 service root: `http://127.0.0.1:<port>/odata/v4/catalog`. */
  serviceUrl: string;
  stop(): Promise<void>;
}

/**
 * The bookshop: an OData v4 service of the SAP Cloud Application Programming Model (@sap/cds),
 * nobody here wrote the OData side of, in a child process on a loopback port with an in-memory
 * SQLite database loaded from its CSV files, so every start begins with the same five books.
 * `dir`: a copy of the bookshop changed by a test (with node_modules reachable from it).
 */
export async function startBookshop(dir: string = BOOKSHOP_DIR): Promise<Bookshop> {
  const serve = createRequire(import.meta.url).resolve('@sap/cds/bin/serve.js');
  const child = spawn(process.execPath, [serve, 'all', '--in-memory', '--port', '0'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', CDS_LOG_LEVELS_CDS: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /server listening on \{ url: '(http:\/\/localhost:\d+)' \}/.exec(output);
      if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the bookshop exited (${code}) before it listened:\n${output}`)));
  });
  return { serviceUrl: `${url}/odata/v4/catalog`, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
