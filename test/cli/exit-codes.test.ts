import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../controller/cli/io.ts';
import { runCli } from '../helpers/cli.ts';

/*
 * One table of exit codes, and one way to say how a command was called wrong: every command gets
 * the same mistakes and must answer each with exit 64 and the same words, never with the 2 that
 * means "plan found changes", and never in the words of git or Node.js.
 */

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
let work: string;

/** A Git repository of the examples (for --ref), a file where a directory should be, and a value to seal. */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-exit-codes-'));
  await cp(EXAMPLES, join(work, 'repo'), { recursive: true });
  const git = simpleGit({ baseDir: join(work, 'repo') });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'intctl test').addConfig('user.email', 'test@intctl.invalid').addConfig('commit.gpgsign', 'false');
  await git.add('.');
  await git.commit('examples');
  await cp(EXAMPLES, join(work, 'not-git'), { recursive: true });
  await writeFile(join(work, 'statefile'), 'not a directory\n');
  await writeFile(join(work, 'value'), 'a value\n');
}, 60_000);
afterAll(async () => rm(work, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const usage = (command: string, message: string) => ({ code: 64, stdout: '', stderr: `intctl: ${message}\n(run intctl ${command} --help for usage)\n` });
const cli = (args: string[]) => runCli(args, work);

/** Each command as called correctly, but for the mistake each case adds; the state directory is kept inside the test's directory. */
const COMMANDS: Record<string, string[]> = {
  validate: ['validate', '--repo', 'repo'],
  generate: ['generate', 'crm', '--repo', 'repo'],
  plan: ['plan', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'],
  apply: ['apply', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'],
  get: ['get', 'integrations', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'],
  'env init': ['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'],
  seal: ['seal', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '--from-file', 'value'],
  invoke: ['invoke', 'crm', 'GetCustomer', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'],
  demo: ['demo'],
  controller: ['controller'],
  'environment serve': ['environment', 'serve'],
  'environment keygen': ['environment', 'keygen', '--out', 'environment.key'],
};

/** The command's arguments with one option's value replaced, or the option dropped when `value` is undefined. */
function withOption(command: string, option: string, value: string | undefined): string[] {
  const args = [...COMMANDS[command]!];
  const at = args.indexOf(option);
  if (at >= 0) args.splice(at, 2);
  return value === undefined ? args : [...args, option, value];
}

describe('the exit codes', () => {
  it('are one table: 0 ok, 1 failed, 2 changes (plan only), 64 usage (EX_USAGE)', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, changes: 2, usage: 64 });
  });

  it.each(Object.keys(COMMANDS))('are shown by intctl %s --help', async (command) => {
    const run = await cli([...command.split(' '), '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nExit codes:\n {2}0 {3}\S.*\n {2}1 {3}\S[\s\S]*\n {2}64 {2}usage error: /);
    // 2 is plan's alone: anywhere else a script would read it as "there are changes".
    expect(/\n {2}2 {3}/.test(run.stdout)).toBe(command === 'plan');
  });

  it('are all shown by intctl --help', async () => {
    const run = await cli(['--help']);
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {3}success\n {2}1 {3}failure: .*\n {2}2 {3}plan only: there are changes to apply.*\n {2}64 {2}usage error: /);
  });
});

describe('a command called wrongly exits 64 with the same words in every command', () => {
  it.each(Object.keys(COMMANDS))('an unknown flag: intctl %s --frobnicate', async (command) => {
    expect(await cli([...COMMANDS[command]!, '--frobnicate'])).toEqual(usage(command, "unknown option '--frobnicate'"));
  });

  it.each(['plan', 'apply', 'get', 'seal', 'invoke'])('a missing --env: intctl %s', async (command) => {
    expect(await cli(withOption(command, '--env', undefined))).toEqual(usage(command, "required option '--env <name>' not specified"));
  });

  it.each([
    ['generate', ['generate', '--repo', 'repo'], 'integration'],
    ['env init', ['env', 'init', '--repo', 'repo'], 'name'],
    ['get', ['get', '--env', 'dev', '--repo', 'repo'], 'resource'],
    ['invoke', ['invoke', '--env', 'dev', '--repo', 'repo'], 'integration'],
  ])('a missing argument: intctl %s', async (command, args, name) => {
    expect(await cli(args)).toEqual(usage(command, `missing required argument '${name}'`));
  });

  it.each(['validate', 'plan', 'apply', 'get'])('a bad -o: intctl %s -o xml', async (command) => {
    expect(await cli([...COMMANDS[command]!, '-o', 'xml'])).toEqual(usage(command, '--output must be table, json or yaml (text is table), not "xml"'));
  });

  it.each(['validate', 'generate', 'plan', 'apply', 'get', 'env init', 'seal', 'invoke', 'demo'])('a missing directory: intctl %s --repo nowhere', async (command) => {
    expect(await cli(withOption(command, '--repo', 'nowhere'))).toEqual(usage(command, '--repo nowhere is not a directory'));
  });

  it('a missing directory never shows Node.js words: intctl demo --repo /no/such/dir', async () => {
    expect(await cli(['demo', '--repo', '/no/such/dir'])).toEqual(usage('demo', '--repo /no/such/dir is not a directory'));
  });

  it.each([
    ['generate', withOption('generate', '--env', 'qa')],
    ['plan', withOption('plan', '--env', 'qa')],
    ['apply', withOption('apply', '--env', 'qa')],
    ['get', withOption('get', '--env', 'qa')],
    ['env init', ['env', 'init', 'qa', '--repo', 'repo', '--state-dir', 'state']],
    ['seal', withOption('seal', '--env', 'qa')],
    ['invoke', withOption('invoke', '--env', 'qa')],
  ])('an unknown environment: intctl %s', async (command, args) => {
    expect(await cli(args)).toEqual(usage(command, 'environment qa is not defined in the repository (defined: dev, prod, test)'));
  });

  it('an unknown integration: intctl generate nope', async () => {
    expect(await cli(['generate', 'nope', '--repo', 'repo'])).toEqual(usage('generate', 'integration nope is not defined in the repository (defined: crm, dataverse-accounts, order-history, product-catalog, sales-orders)'));
  });

  it.each([
    ['plan', [...COMMANDS.plan!, '--ref', 'nope'], '--ref'],
    ['apply', [...COMMANDS.apply!, '--ref', 'nope'], '--ref'],
    ['generate', [...COMMANDS.generate!, '--diff', 'nope'], '--diff'],
  ])('a ref the repository does not have, in intctl words rather than git: intctl %s', async (command, args, option) => {
    expect(await cli(args)).toEqual(usage(command, `${option} nope: no commit, branch or tag named nope in the repository ${join(work, 'repo')}`));
  });

  it.each(['plan', 'apply'])('a --ref in a directory that is not a Git repository: intctl %s', async (command) => {
    const args = [...withOption(command, '--repo', 'not-git'), '--ref', 'HEAD'];
    expect(await cli(args)).toEqual(usage(command, `--ref HEAD: ${join(work, 'not-git')} is not a Git repository`));
  });

  it.each(['plan', 'apply', 'get', 'env init', 'seal', 'invoke'])('a state directory that is a file, before anything is created: intctl %s', async (command) => {
    expect(await cli(withOption(command, '--state-dir', 'statefile'))).toEqual(usage(command, '--state-dir statefile is a file, not a directory'));
    expect(await cli(withOption(command, '--state-dir', 'statefile/sub'))).toEqual(usage(command, `--state-dir statefile/sub cannot be a directory: ${join(work, 'statefile')} is a file`));
  });

  it('a state directory from $INTCTL_STATE_DIR that is a file', async () => {
    vi.stubEnv('INTCTL_STATE_DIR', join(work, 'statefile'));
    expect(await cli(withOption('plan', '--state-dir', undefined))).toEqual(
      usage('plan', `the state directory ${join(work, 'statefile')} ($INTCTL_STATE_DIR) is a file, not a directory; choose another with --state-dir`),
    );
  });

  it('a port that is not a number: intctl environment serve --port abc', async () => {
    expect(await cli(['environment', 'serve', '--port', 'abc'])).toEqual(usage('environment serve', '--port must be a whole number, not "abc"'));
  });

  it('an unknown command', async () => {
    expect(await cli(['frobnicate'])).toEqual({ code: 64, stdout: '', stderr: "intctl: unknown command 'frobnicate'\n(run intctl --help for usage)\n" });
  });
});

describe('a command that runs and fails exits 1, its error on stderr', () => {
  it.each([
    ['a selection the specification does not offer', 'name: opportunities ', 'name: opportunity ', /^integrations\/crm\.yaml:\d+:\d+: error: spec\.entities\[2\]\.name entity opportunity is not in the specification; did you mean opportunities\? \(Integration crm\)\n$/],
    [
      'a manifest that does not load, so the integration is not found',
      '[Get, Search, Count, Create, Update, Delete]',
      '[Get, Frobnicate]',
      /^integrations\/crm\.yaml:\d+:\d+: error: spec\.entities\[0\]\.operations\[1\] must be one of [^\n]*\nintctl: integration crm is not defined in the repository \(defined: dataverse-accounts, order-history, product-catalog, sales-orders\)\n$/,
    ],
  ])('intctl generate with %s', async (_title, from, to, stderr) => {
    const broken = await mkdtemp(join(work, 'broken-'));
    await cp(join(work, 'not-git'), broken, { recursive: true });
    const file = join(broken, 'integrations', 'crm.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(from, to));
    const run = await cli(['generate', 'crm', '--repo', broken]);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(stderr);
    expect(run.code).toBe(1);
  });

  it('intctl get on an environment that has no store yet', async () => {
    const run = await cli(COMMANDS.get!);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `intctl: environment dev has no store at ${join(work, 'state', 'dev.sqlite')}; run intctl env init dev\n` });
  });
});
