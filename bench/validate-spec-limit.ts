/**
 * One-off measurement: the time and peak memory of `intctl validate` on a specification at the
 * size limit (--max-spec-size, 64 MiB by default), and just over it. Each case runs in a fresh
 * process under /usr/bin/time, so the peak RSS is the command's own.
 *
 *   npx tsx bench/validate-spec-limit.ts [limit in MiB]
 *
 * Not a vitest bench (`npm run bench` does not run it): it takes minutes and gigabytes.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../controller/cli/main.ts';
import { DEFAULT_YAML_LIMITS } from '../controller/load/parse-yaml-file.ts';

const run = promisify(execFile);
const BASE = join(import.meta.dirname, '..', 'test', 'fixtures', 'bad-input', '_base');
/** The limit measured at: the default, or a number of MiB given as the argument (passed on as --max-spec-size). */
const LIMIT = process.argv[2] !== undefined && process.argv[2] !== '--child' ? Number(process.argv[2]) * 1024 * 1024 : DEFAULT_YAML_LIMITS.maxSpecBytes!;

/** Exactly `size` bytes of OpenAPI YAML whose bulk is one scalar (the shape of the reported 2 GiB case). */
function oneScalar(size: number): Buffer {
  const head = 'openapi: 3.0.3\ninfo: { title: CRM, version: 1.0.0 }\npaths:\n  /customers:\n    get:\n      operationId: listCustomers\n      responses:\n        "200": { description: customers }\nx-big: "';
  const tail = '"\n';
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - tail.length, 'x'), Buffer.from(tail)]);
}

/** Exactly `size` bytes of OpenAPI JSON made of many small operations (the shape of a real large description). */
function manyOperations(size: number): Buffer {
  const parts: string[] = [];
  let length = 0;
  const head = '{"openapi":"3.0.3","info":{"title":"CRM","version":"1.0.0"},"paths":{';
  for (let i = 0; length < size - 4096; i++) {
    const path = `${i === 0 ? '' : ','}"/things${i}/{id}":{"get":{"operationId":"getThing${i}","parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],"responses":{"200":{"description":"thing ${i}","content":{"application/json":{"schema":{"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},"count":{"type":"integer"}}}}}}}}}`;
    parts.push(path);
    length += path.length;
  }
  const body = `${head}${parts.join('')}},"x-pad":"`;
  const end = '"}';
  return Buffer.concat([Buffer.from(body), Buffer.alloc(size - body.length - end.length, 'x'), Buffer.from(end)]);
}

async function child(dir: string, limit: string): Promise<void> {
  process.exitCode = await main(['validate', '--repo', dir, '--max-spec-size', limit]);
}

async function measure(name: string, spec: Buffer): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'intctl-spec-limit-'));
  try {
    await cp(BASE, dir, { recursive: true });
    await writeFile(join(dir, 'specs', 'crm.yaml'), spec);
    const started = process.hrtime.bigint();
    const result = await run('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', import.meta.filename, '--child', dir, String(LIMIT)], { maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout: string; stderr: string }) => error);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1];
    const said = result.stdout.trim().split('\n')[0]?.slice(0, 160);
    console.log(`| ${name} | ${(spec.byteLength / 1024 / 1024).toFixed(1)} MiB | ${seconds.toFixed(1)} s | ${rss ? Math.round(Number(rss) / 1024) : '?'} MiB | ${said} |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!);
} else {
  console.log('| case | size | wall time | peak RSS | first line of output |');
  console.log('|---|---|---|---|---|');
  await measure('one scalar, at the limit', oneScalar(LIMIT));
  await measure('many operations (JSON), at the limit', manyOperations(LIMIT));
  await measure('one byte over the limit', oneScalar(LIMIT + 1));
}
