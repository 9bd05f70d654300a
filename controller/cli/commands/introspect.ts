import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { openEmbeddedEnvironment } from '../../environments/embedded/open-embedded-environment.ts';
import { embeddedStorePath } from '../../environments/open-driver.ts';
import type { Connection, Environment, Integration } from '../../generated/manifests.ts';
import { loadManifests } from '../../load/load-manifests.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';
import { isSpecUrl, specUrlMessage } from '../../core/spec-url.ts';
import { openSecret } from '../../action-runtime/open-secret.ts';
import { generateKeyPair, type KeyPair } from '../../secrets/generate-key-pair.ts';
import { toConnectionRecord } from '../../secrets/to-connection-record.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, repoOption, stateDirOption } from '../options.ts';
import { checkStoreLocation } from '../check-store-location.ts';
import { openWorkspace, repositoryRoot, requireEnvironment, type WorkspaceConfig } from '../workspace.ts';
import { INTROSPECTORS } from '../introspect/introspectors.ts';
import { checkWritable, compareWithRepository, writeInRepository } from '../introspect/write-specification.ts';

interface Options {
  env: string;
  repo?: string;
  stateDir?: string;
  url?: string;
  write?: boolean;
}

export const INTROSPECT_DESCRIPTION = "fetch an integration's specification from the live system with its connection (OData $metadata, a database schema snapshot), and write it to the file generation reads";

/**
 * `intctl introspect <integration> --env <name> [--url <url>] [--write]`: reads the specification
 * of an integration from the system itself, as the connection of that environment reaches it
 * (its endpoint, credentials and parameters), checks that the generator reads it, and with
 * `--write` puts it at the integration's `spec.source.path`, so that a change of the live
 * service reaches Git as a diff a reviewer sees. Generation never calls the system: the file is
 * the specification. Without `--write` nothing is written; a summary says what was read and
 * whether it differs from the file in the repository.
 */
export function registerIntrospect(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('introspect')
    .description(INTROSPECT_DESCRIPTION)
    .argument('<integration>', 'the Integration whose specification to fetch')
    .addOption(envOption("the environment whose connection is used (its endpoint and credentials); sealed secrets are opened only for an embedded environment, whose key is here"))
    .option('--url <url>', "where to read the specification, on the connection's origin (default: the connection's endpoint followed by /$metadata)")
    .option('--write', "write the specification to the integration's spec.source.path (default: only print a summary)")
    .addOption(repoOption())
    .addOption(stateDirOption())
    .addHelpText('after', examplesHelp([
      ["intctl introspect sales-orders --env dev", "fetch sales-orders' $metadata with dev's connection and compare it with the file"],
      ["intctl introspect sales-orders --env dev --write", "write it to spec.source.path, for review as a diff"],
    ]))
    .addHelpText('after', exitCodeHelp({
      ok: 'the specification was read and checked (and written with --write)',
      failed: 'the system could not be read, refused the credentials, or answered something the generator cannot read; nothing is written',
      usage: true,
    }))
    .action(async (name: string, options: Options) => {
      const root = await repositoryRoot(io, options.repo);
      const workspace = await openWorkspace(io, { repo: root, stateDir: options.stateDir });
      const environment = await requireEnvironment(workspace.reader, options.env);
      const loaded = await loadManifests(workspace.reader);
      const integration = loaded.set.integrations.find((i) => i.manifest.metadata.name === name)?.manifest;
      if (!integration) {
        const known = loaded.set.integrations.map((i) => i.manifest.metadata.name).sort();
        throw new UsageError(`integration ${name} is not defined in the repository (defined: ${known.join(', ') || 'none'})`);
      }
      const introspector = INTROSPECTORS[integration.spec.system];
      if (!introspector) {
        throw new UsageError(`integration ${name} is of system ${integration.spec.system}, which intctl introspect does not read yet (it reads: ${Object.keys(INTROSPECTORS).join(', ')})`);
      }
      const target = targetPath(integration, options.write === true);
      if (options.write === true && target !== undefined) await checkWritable(root, target);
      const connection = findConnection(loaded.set.connections.map((c) => c.manifest), integration);

      const opened = await openConnection(connection, environment, workspace.config);
      if (!opened.ok) {
        io.stderr(`intctl: ${opened.message}\n`);
        setExit(opened.usage ? EXIT.usage : EXIT.failed);
        return;
      }
      const read = await introspector.read({ connection: opened.record, secrets: opened.secrets, url: options.url, source: integration.spec.source });
      if (!read.ok) return fail(io, setExit, `introspect ${name}: ${read.message}; nothing written`);
      const checked = await introspector.check(read.bytes, integration.spec.source);
      if (!checked.ok) return fail(io, setExit, `introspect ${name}: ${read.from} is not a specification the ${integration.spec.system} generator reads: ${checked.message}; nothing written`);

      const compared = target === undefined ? 'no file (spec.source.path names none)' : await compareWithRepository(workspace.reader, target, read.bytes);
      io.stdout(`${name}: read ${read.from} with connection ${opened.record.name} (environment ${environment.metadata.name})\n`);
      io.stdout(`  ${read.bytes.length} bytes, ${checked.items.length} ${introspector.items}: ${checked.items.join(', ') || 'none'}\n`);
      io.stdout(`  ${target ?? 'spec.source.path'}: ${compared}\n`);
      if (options.write === true && target !== undefined) {
        if (compared === 'unchanged') io.stdout(`  nothing to write\n`);
        else {
          await writeInRepository(root, target, read.bytes);
          io.stdout(`  wrote ${target}\n`);
        }
      }
      setExit(EXIT.ok);
    });
}

function fail(io: CliIo, setExit: (code: number) => void, message: string): void {
  io.stderr(`intctl: ${message}\n`);
  setExit(EXIT.failed);
}

/** The repository path the specification goes to, refused before anything is fetched when it cannot be one. */
function targetPath(integration: Integration, write: boolean): string | undefined {
  const given = integration.spec.source.path;
  const name = integration.metadata.name;
  if (given === undefined) {
    if (write) throw new UsageError(`integration ${name} has no spec.source.path to write to; give one (for instance specs/${name}.${integration.spec.system === 'odata' ? 'edmx' : 'schema.json'})`);
    return undefined;
  }
  if (isSpecUrl(given)) {
    if (write) throw new UsageError(`integration ${name}: spec.source.path ${specUrlMessage(given, name, integration.spec.system)}`);
    return undefined;
  }
  const path = normalizeRepoPath(given);
  if (path === undefined) throw new UsageError(`integration ${name}: spec.source.path ${JSON.stringify(given)} leaves the repository; introspect writes inside the repository only`);
  return path;
}

function findConnection(connections: Connection[], integration: Integration): Connection {
  const found = connections.find((c) => c.metadata.name === integration.spec.connection);
  if (!found) throw new UsageError(`integration ${integration.metadata.name}: connection ${integration.spec.connection} is not defined in the repository`);
  return found;
}

type Opened = { ok: true; record: ReturnType<typeof recordOf>; secrets: Record<string, string> } | { ok: false; usage: boolean; message: string };

function recordOf(connection: Connection, environment: string, keyPair: KeyPair) {
  const built = toConnectionRecord(connection, environment, keyPair.publicKey, randomBytes(32).toString('base64'));
  if (!built.ok) throw new UsageError(built.message);
  return built.record;
}

/**
 * The connection as the environment would hold it, with its secrets opened here: sealed values
 * with the key of an embedded environment (an http environment's key stays on its server, so a
 * sealed secret of one is refused as not supported yet), variables from this process, files read
 * now. The secrets live for this command only.
 */
async function openConnection(connection: Connection, environment: Environment, config: WorkspaceConfig): Promise<Opened> {
  const envName = environment.metadata.name;
  let keyPair: KeyPair;
  if (environment.spec.driver === 'embedded') {
    await checkStoreLocation(environment, config);
    const store = await openEmbeddedEnvironment(embeddedStorePath(environment, config.stateDir), { name: envName, create: false });
    try {
      keyPair = store.keyPair();
    } finally {
      await store.close();
    }
  } else {
    // A plain value is sealed to a key made for this command and opened with it again.
    keyPair = generateKeyPair();
  }
  // The fingerprint is not needed here; a key made for this command stands in for the environment's.
  const record = recordOf(connection, envName, keyPair);
  const secrets: Record<string, string> = {};
  for (const [field, stored] of Object.entries(record.secrets)) {
    if ('sealed' in stored && environment.spec.driver !== 'embedded' && !isPlain(connection, envName, field)) {
      return {
        ok: false,
        usage: true,
        message: `connection ${record.name}, environment ${envName}: ${field} is sealed to the key of environment ${envName}, which its ${environment.spec.driver} server holds; introspect opens sealed secrets only for embedded environments, and reading through an ${environment.spec.driver} environment is not supported yet. Use an embedded environment whose connection reaches the same service, or give ${field} as env or file`,
      };
    }
    const secret = await openSecret(stored, keyPair, config.env ?? {});
    if (!secret.ok) {
      // openSecret speaks of the environment server; introspect reads the variable in this process.
      const said = 'env' in stored ? `variable ${stored.env} is not set where intctl introspect runs` : secret.message;
      return { ok: false, usage: false, message: `connection ${record.name}, environment ${envName}: secret ${field}: ${said}; nothing read` };
    }
    secrets[field] = secret.value;
  }
  return { ok: true, record, secrets };
}

function isPlain(connection: Connection, environment: string, field: string): boolean {
  const value = (connection.spec.environments[environment] as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'object' && value !== null && 'plain' in value;
}
