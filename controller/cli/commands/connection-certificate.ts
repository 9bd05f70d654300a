import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadManifests } from '../../load/load-manifests.ts';
import { thumbprints } from '../../secrets/client-key.ts';
import { issueCertificate } from '../../secrets/issue-certificate.ts';
import { sealSecret } from '../../secrets/seal-secret.ts';
import { fsRepository } from '../../source/fs-repository.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, outputOption, repoOption, stateDirOption, type OutputFormat } from '../options.ts';
import { environmentPublicKey, repositoryRoot, requireEnvironment, workspaceConfig } from '../workspace.ts';

interface CertificateOptions {
  env: string;
  repo?: string;
  stateDir?: string;
  days: number;
  keySize: number;
  commonName?: string;
  out?: string;
  output: OutputFormat;
}

const CONNECTION_SUMMARY = 'manage the credentials of connections: make a key pair and certificate for one';
const KEY_SIZES = [2048, 3072, 4096];

/**
 * `intctl connection certificate <connection> --env <name>`: makes an RSA key pair and a
 * self-signed certificate for a connection in one environment, seals the private key to that
 * environment (only it can open it; the key is never printed or written in the clear), and prints
 * the certificate with its SHA-1 thumbprint (what Entra ID shows) and SHA-256 thumbprint, for the
 * external system's administrator to register, and the two fields to put in the connection's
 * definition for the environment. The connection must be defined for that environment.
 */
export function registerConnectionCertificate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const connection = program.commands.find((c) => c.name() === 'connection') ?? program.command('connection').description(CONNECTION_SUMMARY);
  connection
    .command('certificate')
    .description("make a key pair and a self-signed certificate for a connection, seal the key to the environment, and print the certificate to register with the system")
    .argument('<connection>', 'the Connection, as named in the repository')
    .addOption(envOption('the environment the key is for: only it can open the sealed key'))
    .addOption(repoOption())
    .addOption(stateDirOption())
    .addOption(new Option('--days <days>', 'how long the certificate is valid').default(365).argParser(days))
    .addOption(new Option('--key-size <bits>', 'RSA key size').default(2048).argParser(keySize))
    .option('--common-name <name>', 'the certificate subject CN (default: intctl-<connection>-<environment>)')
    .option('--out <file>', 'also write the certificate (PEM) to this file, to upload to the system')
    .addOption(outputOption())
    .addHelpText('after', examplesHelp([
      ['intctl connection certificate dataverse --env prod', 'a certificate for the dataverse connection in prod, printed with its thumbprints to register on the Entra app'],
      ['intctl connection certificate dataverse --env prod --days 730 --out dataverse-prod.pem', 'valid for two years, and written to a file to upload'],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the certificate and the sealed key are printed', usage: 'the connection or environment is not defined, or the environment has no keys yet (intctl env init)' }))
    .action(async (name: string, options: CertificateOptions) => {
      const root = await repositoryRoot(io, options.repo);
      const reader = fsRepository(root);
      const environment = await requireEnvironment(reader, options.env);
      const defined = (await loadManifests(reader)).set.connections.find((c) => c.manifest.metadata.name === name);
      if (!defined) throw new UsageError(`no connection ${name} is defined in ${root}`);
      if (!defined.manifest.spec.environments[options.env]) throw new UsageError(`connection ${name} is not defined for environment ${options.env} (${defined.file})`);

      const config = await workspaceConfig(io, root, options.stateDir);
      const publicKey = await environmentPublicKey(environment, config);

      const pair = generateKeyPairSync('rsa', { modulusLength: options.keySize });
      const commonName = options.commonName ?? `intctl-${name}-${options.env}`;
      const pem = issueCertificate({ commonName, publicKey: pair.publicKey, privateKey: pair.privateKey, notBefore: Date.now() - 5 * 60_000, days: options.days });
      const sealed = sealSecret(publicKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      const certificate = new X509Certificate(pem);
      const prints = thumbprints(certificate);
      if (options.out !== undefined) await writeFile(resolve(io.cwd, options.out), pem);

      if (options.output === 'json') {
        io.stdout(`${JSON.stringify({ connection: name, environment: options.env, subject: certificate.subject, notAfter: new Date(certificate.validTo).toISOString(), thumbprints: { sha1: prints.sha1, sha256: prints.sha256 }, certificate: pem, privateKey: { sealed } }, null, 2)}\n`);
      } else {
        io.stdout(
          [
            `# connection ${name}, environment ${options.env}: a new RSA ${options.keySize} key pair and a self-signed certificate`,
            `# subject ${certificate.subject}, valid until ${new Date(certificate.validTo).toISOString().slice(0, 10)}`,
            `# thumbprint SHA-1   ${prints.sha1}   (Entra ID shows this one)`,
            `# thumbprint SHA-256 ${prints.sha256}`,
            `#`,
            `# 1. Register the certificate with the system (Entra ID: the app registration's Certificates & secrets, Upload certificate${options.out !== undefined ? `: ${options.out}` : ''}).`,
            `# 2. Put these two fields in spec.environments.${options.env} of connection ${name} (${defined.file}); only ${options.env} can open the key:`,
            'certificate: |',
            ...pem.trimEnd().split('\n').map((line) => `  ${line}`),
            `privateKey: { sealed: ${sealed} }`,
            '',
          ].join('\n'),
        );
      }
      setExit(EXIT.ok);
    });
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError('give a whole number of days from 1 to 3650');
  return n;
}

function keySize(value: string): number {
  const n = Number(value);
  if (!KEY_SIZES.includes(n)) throw new InvalidArgumentError(`give one of ${KEY_SIZES.join(', ')}`);
  return n;
}
