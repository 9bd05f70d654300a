import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadline } from '../time.ts';

/** A Prism mock server answering from one document. */
export interface Prism {
  url: string;
  /** Everything Prism printed, to explain a failure. */
  log(): string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The Prism CLI's entry point, from its package's `bin`. */
function prismEntry(): string {
  const manifest = require.resolve('@stoplight/prism-cli/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { prism: string } }).bin.prism;
  return join(manifest, '..', bin);
}

/** A port nothing listens on right now, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Json = Record<string, unknown>;

/**
 * A copy of a JSON document whose `examples` entries that are `$ref`s to `#/components/examples/…`
 * are replaced by the example they point at. Prism answers a referenced example with its
 * `{summary, value}` wrapper as the body (GitHub's description references all of its examples);
 * the document says the same thing either way.
 */
export function inlineExampleRefs(document: Json): Json {
  const components = ((document.components as Json | undefined)?.examples ?? {}) as Json;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'examples' || value === null || typeof value !== 'object' || Array.isArray(value)) {
        out[key] = walk(value);
        continue;
      }
      const examples: Json = {};
      for (const [name, example] of Object.entries(value)) {
        const ref = (example as Json | null)?.$ref;
        const target = typeof ref === 'string' && ref.startsWith('#/components/examples/') ? components[ref.slice('#/components/examples/'.length)] : undefined;
        const resolved = (target ?? example) as Json;
        // GitHub's `value: {$ref}` points at a whole Example object: its value is the example's.
        const valueRef = (resolved?.value as Json | undefined)?.$ref;
        const valueTarget = typeof valueRef === 'string' && valueRef.startsWith('#/components/examples/') ? (components[valueRef.slice('#/components/examples/'.length)] as Json | undefined) : undefined;
        examples[name] = walk(valueTarget && 'value' in valueTarget ? { ...resolved, value: valueTarget.value } : resolved);
      }
      out[key] = examples;
    }
    return out;
  };
  return walk(document) as Json;
}

/**
 * Starts `prism mock --errors` on a free port of 127.0.0.1 for the JSON document at `path` (its
 * example references inlined, see inlineExampleRefs), and
 * resolves once Prism logs that it is listening (GitHub's description takes Prism tens of seconds
 * to read). With `--errors`, a request the document does not allow is answered with an error
 * instead of an example. Rejects, with what Prism said, when it exits first or the deadline passes.
 */
export async function startPrism(path: string): Promise<Prism> {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-prism-'));
  const served = join(dir, 'document.json');
  writeFileSync(served, JSON.stringify(inlineExampleRefs(JSON.parse(readFileSync(path, 'utf8')) as Json)));
  const port = await freePort();
  const child = spawn(process.execPath, [prismEntry(), 'mock', '--errors', '-h', '127.0.0.1', '-p', String(port), served], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prism did not start listening on ${path} in time:\n${output.slice(-2000)}`)), deadline(120_000));
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const found = /Prism is listening on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited (${code}) before listening on ${path}:\n${output.slice(-2000)}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await listening;
    return { url, log: () => output, close };
  } catch (error) {
    await close();
    throw error;
  }
}
