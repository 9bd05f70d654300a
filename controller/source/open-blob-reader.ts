import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface BlobReader {
  /** The bytes of a blob by id; rejects when the repository has no such blob. */
  read(id: string): Promise<Uint8Array>;
  /** Blobs read from git since the reader was opened (those served from memory are not counted). */
  readonly reads: number;
  /** Ends the git process; a later read starts another. */
  close(): Promise<void>;
}

export interface BlobReaderOptions {
  /** The environment git runs in. */
  env: Record<string, string>;
  /** Most bytes of blobs kept in memory, least recently used dropped first. */
  cacheBytes: number;
}

interface Pending {
  id: string;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
}

type BatchProcess = ChildProcessByStdio<Writable, Readable, Readable>;

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Reads blobs of a repository through one long-lived `git cat-file --batch` process instead of a
 * process per file: loading a repository of thousands of files is then bounded by git's reading,
 * not by starting processes. Blob ids name content, so what was read is kept (up to a byte
 * budget) and served again without asking git. The process holds no reference on the event
 * loop while idle, so it never keeps a program from exiting.
 */
export function openBlobReader(gitDir: string, options: BlobReaderOptions): BlobReader {
  const cache = new Map<string, { bytes: Uint8Array; used: number }>();
  let cachedBytes = 0;
  let clock = 0;
  let reads = 0;
  let current: Batch | undefined;

  /**
   * Keeps a blob; over the budget, drops the least recently used down to 90% of it at once, so
   * eviction is rare and a hit only stamps its entry (moving entries in a Map costs far more).
   */
  const remember = (id: string, bytes: Uint8Array): void => {
    if (bytes.byteLength > options.cacheBytes || cache.has(id)) return;
    cache.set(id, { bytes, used: ++clock });
    cachedBytes += bytes.byteLength;
    if (cachedBytes <= options.cacheBytes) return;
    const oldestFirst = [...cache].sort((a, b) => a[1].used - b[1].used);
    for (const [key, entry] of oldestFirst) {
      if (cachedBytes <= options.cacheBytes * 0.9) break;
      cache.delete(key);
      cachedBytes -= entry.bytes.byteLength;
    }
  };

  const start = (): Batch => {
    const batch = batchProcess(gitDir, options.env, (id, bytes) => {
      reads++;
      remember(id, bytes);
    });
    batch.process.on('close', () => {
      if (current === batch) current = undefined;
    });
    return batch;
  };

  return {
    get reads() {
      return reads;
    },

    read(id: string): Promise<Uint8Array> {
      const cached = cache.get(id);
      if (cached) {
        cached.used = ++clock;
        return Promise.resolve(cached.bytes);
      }
      if (!OBJECT_ID.test(id)) return Promise.reject(new Error(`not an object id: ${JSON.stringify(id)}`));
      current ??= start();
      return current.request(id);
    },

    async close(): Promise<void> {
      const closing = current;
      current = undefined;
      // What was asked before is still answered: git reads to the end of its input.
      if (closing) await closing.end();
    },
  };
}

interface Batch {
  process: BatchProcess;
  request(id: string): Promise<Uint8Array>;
  end(): Promise<void>;
}

/** One `git cat-file --batch`: requests written in order, answers taken off its output in the same order. */
function batchProcess(gitDir: string, env: Record<string, string>, onBlob: (id: string, bytes: Uint8Array) => void): Batch {
  const child: BatchProcess = spawn('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const queue: Pending[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let stderr = '';
  let ended: Error | undefined;

  /** Holds a reference on the event loop only while answers are awaited. */
  const hold = (yes: boolean): void => {
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void }>) {
      if (yes) handle.ref?.();
      else handle.unref?.();
    }
  };
  const fail = (error: Error): void => {
    ended = error;
    for (const p of queue.splice(0)) p.reject(error);
  };

  /** Takes every complete answer off the buffer: `<id> blob <size>\n<bytes>\n`, or `<id> missing\n`. */
  const drain = (): void => {
    while (queue.length > 0) {
      const newline = buffer.indexOf(0x0a);
      if (newline < 0) return;
      const header = buffer.subarray(0, newline).toString('utf8').split(' ');
      const pending = queue[0]!;
      if (header.length !== 3) {
        buffer = buffer.subarray(newline + 1);
        queue.shift();
        pending.reject(new Error(`blob ${pending.id} is not in the repository (${header.join(' ')})`));
        continue;
      }
      const size = Number(header[2]);
      if (buffer.length < newline + 1 + size + 1) return;
      const bytes = new Uint8Array(buffer.subarray(newline + 1, newline + 1 + size));
      buffer = buffer.subarray(newline + 1 + size + 1);
      queue.shift();
      if (header[1] !== 'blob') {
        pending.reject(new Error(`object ${pending.id} is a ${header[1]}, not a blob`));
        continue;
      }
      onBlob(pending.id, bytes);
      pending.resolve(bytes);
    }
    if (queue.length === 0) hold(false);
  };

  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    drain();
  });
  child.on('error', fail);
  child.on('close', (code) => fail(new Error(`git cat-file ended (${code ?? 'signal'})${stderr ? `: ${stderr.trim()}` : ''}`)));
  // Writing to a process that ended fails there too; 'close' rejects what is pending.
  child.stdin.on('error', () => undefined);

  return {
    process: child,
    request(id) {
      if (ended) return Promise.reject(ended);
      return new Promise((resolve, reject) => {
        if (queue.length === 0) hold(true);
        queue.push({ id, resolve, reject });
        child.stdin.write(`${id}\n`);
      });
    },
    end() {
      if (ended) return Promise.resolve();
      // Hold the event loop while git finishes, or a process with nothing else to do would exit
      // before 'close' arrives.
      hold(true);
      return new Promise((resolve) => {
        child.once('close', () => {
          hold(false);
          resolve();
        });
        child.stdin.end();
      });
    },
  };
}
