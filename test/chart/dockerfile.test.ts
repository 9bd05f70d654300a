/**
 * The Dockerfile cannot be built here (no Docker engine), so its structure is checked: two
 * stages, production dependencies only, a non-root numeric user, git in the runtime image, the
 * `intctl` entrypoint, and a build context that leaves tests and local state out. The runtime
 * code is also checked to import only production dependencies, which `npm ci --omit=dev` installs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions, continuation lines joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    current += `${line.replace(/\\\s*$/, '')} `;
    if (continued) continue;
    if (current.trim() !== '') logical.push(current.trim().replace(/\s+/g, ' '));
    current = '';
  }
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(' ');
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+ )?(\S+)(?: AS (\S+))?$/i.exec(instruction.args);
      stages.push({ from: match?.[1] ?? instruction.args, ...(match?.[2] ? { name: match[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

const dockerfile = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const build = dockerfile.stages[0]!;
const all = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const aptPackages = (stage: Stage): string[] =>
  all(stage, 'RUN').flatMap((run) => [...run.matchAll(/apt-get install ((?:-\S+ )*)([^&;|]+)/g)].flatMap((m) => m[2]!.trim().split(' ')));
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  description: string;
  license: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage from the same Node 20 image', () => {
    expect(dockerfile.stages.length).toBe(2);
    expect(build.name).toBe('build');
    expect(runtime.name).toBe('runtime');
    const image = dockerfile.preamble.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    expect(image).toMatch(/^node:20(\.\d+)*-/);
    expect(dockerfile.stages.map((s) => s.from)).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  });

  it('installs production dependencies only, with npm ci from the lock file, building better-sqlite3 in the build stage', () => {
    const installs = dockerfile.stages.flatMap((s) => all(s, 'RUN')).filter((run) => /\bnpm (ci|install|i)\b/.test(run));
    expect(installs.length).toBe(1);
    expect(installs[0]).toMatch(/\bnpm ci\b[^&;]*--omit=dev/);
    expect(all(build, 'RUN').some((run) => run.includes('npm ci'))).toBe(true);
    expect(all(build, 'COPY')).toContain('package.json package-lock.json ./');
    expect(aptPackages(build)).toEqual(expect.arrayContaining(['python3', 'make', 'g++']));
    expect(pkg.dependencies.esbuild, 'the runtime stage compiles the CLI ahead of time: a production dependency').toBeDefined();
    expect(pkg.dependencies.tsx, 'a checkout without a fresh build runs the source through tsx: a production dependency').toBeDefined();
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
  });

  it('puts git, ssh and CA certificates in the runtime image, and no compiler', () => {
    const packages = aptPackages(runtime);
    expect(packages).toEqual(expect.arrayContaining(['git', 'openssh-client', 'ca-certificates', 'tini']));
    for (const tool of ['python3', 'make', 'g++', 'build-essential']) expect(packages).not.toContain(tool);
  });

  it('copies into the runtime only the built node_modules and what the CLI loads', () => {
    const copies = all(runtime, 'COPY');
    const fromBuild = copies.filter((c) => c.startsWith('--from='));
    expect(fromBuild).toEqual(['--from=build /app/node_modules ./node_modules']);
    const sources = copies.filter((c) => !c.startsWith('--')).flatMap((c) => c.split(' ').slice(0, -1));
    expect(new Set(sources)).toEqual(new Set(['package.json', 'package-lock.json', ...pkg.files]));
    for (const left of ['.', 'test', 'bench', 'examples', 'node_modules', 'docs', 'charts']) expect(sources).not.toContain(left);
  });

  it('compiles the CLI ahead of time once its sources are in, so the image never compiles at start', () => {
    const steps = runtime.instructions.map((i) => `${i.keyword} ${i.args}`);
    const built = steps.findIndex((s) => s.startsWith('RUN node /app/bin/build.js'));
    expect(built, 'a RUN of bin/build.js in the runtime stage').toBeGreaterThan(-1);
    expect(built).toBeGreaterThan(steps.findIndex((s) => s === 'COPY controller ./controller'));
    expect(built).toBeLessThan(steps.findIndex((s) => s.startsWith('USER ')));
  });

  it('runs as a non-root numeric user, with the state directory writable and the root file system able to be read-only', () => {
    const users = all(runtime, 'USER');
    expect(users.length).toBe(1);
    const [uid, gid] = users[0]!.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid).toMatch(/^\d+$/);
    const last = runtime.instructions.map((i) => i.keyword);
    expect(last.lastIndexOf('RUN'), 'nothing runs as root after USER').toBeLessThan(last.indexOf('USER'));
    const env = all(runtime, 'ENV').join(' ');
    expect(env).toMatch(/INTCTL_STATE_DIR=\/var\/lib\/intctl/);
    expect(env).toMatch(/TMPDIR=\/tmp/);
    expect(all(runtime, 'RUN').join(' ')).toMatch(new RegExp(`chown ${uid}:${gid} /var/lib/intctl`));
  });

  it('has intctl as its entrypoint, under tini, and the controller as the default command', async () => {
    expect(all(runtime, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "intctl"]']);
    expect(all(runtime, 'CMD')).toEqual(['["controller"]']);
    expect(pkg.bin.intctl).toBe('bin/intctl.js');
    expect(all(runtime, 'RUN').join(' ')).toContain('ln -s /app/bin/intctl.js /usr/local/bin/intctl');
    expect((await readFile(join(ROOT, 'bin', 'intctl.js'), 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(all(runtime, 'EXPOSE')).toEqual(['8080']);
  });
});

/** The `key="value"` pairs of a stage's LABEL instructions. */
function labels(stage: Stage): Map<string, string> {
  const out = new Map<string, string>();
  for (const args of all(stage, 'LABEL')) for (const m of args.matchAll(/([\w.-]+)="([^"]*)"/g)) out.set(m[1]!, m[2]!);
  return out;
}

describe('the image annotations', () => {
  it('label the runtime image with the OCI annotations, from package.json and the build arguments', () => {
    const found = labels(runtime);
    expect(Object.fromEntries(found)).toEqual({
      'org.opencontainers.image.title': pkg.name,
      'org.opencontainers.image.description': pkg.description,
      'org.opencontainers.image.licenses': pkg.license,
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.revision': '${REVISION}',
      'org.opencontainers.image.source': '${SOURCE}',
      'org.opencontainers.image.created': '${CREATED}',
      'org.opencontainers.image.base.name': '${NODE_IMAGE}',
    });
    // Every variable a label reads is an ARG of the runtime stage (an ARG before FROM is not, unless named again).
    const args = new Map(all(runtime, 'ARG').map((a) => [a.split('=')[0]!, a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined]));
    for (const value of found.values()) for (const m of value.matchAll(/\$\{(\w+)\}/g)) expect(args.has(m[1]!), `ARG ${m[1]} in the runtime stage`).toBe(true);
    expect(args.get('VERSION'), "VERSION's default is package.json's version").toBe(pkg.version);
    expect(labels(build).size, 'labels on the runtime image only').toBe(0);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, history, tests and local state out of the build context, and nothing the image needs', async () => {
    const patterns = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', '.git', 'test', '.intctl']));
    for (const needed of ['package.json', 'package-lock.json', ...pkg.files]) expect(patterns).not.toContain(needed);
    expect(patterns.some((p) => p.startsWith('!'))).toBe(false);
  });
});

describe('the runtime code', () => {
  it('imports only production dependencies (npm ci --omit=dev leaves the dev ones out of the image)', async () => {
    const files: string[] = [];
    for (const dir of pkg.files.filter((f) => f === 'bin' || f === 'controller')) {
      for (const entry of await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && /\.(ts|js)$/.test(entry.name)) files.push(join(entry.parentPath, entry.name));
      }
    }
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const specifiers = [
        ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
      ];
      for (const specifier of specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (pkg.dependencies[name] === undefined) missing.push(`${file.slice(ROOT.length + 1)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
