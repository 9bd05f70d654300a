import { stringify } from 'yaml';
import { diffCatalogs, type CatalogChange } from '../artifact/diff-catalogs.ts';
import { renderDeclarations } from '../artifact/declarations.ts';
import type { ActionCatalog } from '../core/catalog.ts';
import type { Snapshot } from './overview-view.ts';
import type { MatrixCell } from './matrix-view.ts';

/** The published catalog of an integration in an environment; undefined when it is not published there. */
export type ReadCatalog = (environment: string, integration: string) => Promise<ActionCatalog | undefined>;

export interface IntegrationView {
  name: string;
  system: string;
  labels: Record<string, string>;
  connection?: string;
  /** The manifest as YAML: an Integration holds no secret (those live in Connections). */
  manifest?: string;
  environments: Array<{ name: string; targeted: boolean; cell: MatrixCell; authType?: string }>;
  /** The environment whose artifact is shown below. */
  artifactFrom?: string;
  actions: Array<{ name: string; kind: string; entity?: string; summary?: string }>;
  declarations?: string;
}

export interface InterfaceDiff {
  integration: string;
  from: string;
  to: string;
  /** Whether each environment has it published; a diff needs both. */
  published: { from: boolean; to: boolean };
  /** What changes in `to` if `from` is promoted there, breaking first. */
  changes: CatalogChange[];
}

/**
 * The Integration page: its manifest, its connection's auth type per environment (never a secret
 * value), where it stands in each environment, and the generated actions and TypeScript
 * declarations of the artifact published in `environment` (default: the first that has it).
 */
export async function integrationViewOf(snapshot: Snapshot, name: string, readCatalog: ReadCatalog, environment?: string): Promise<IntegrationView | undefined> {
  const row = snapshot.rows.find((r) => r.name === name);
  if (!row) return undefined;
  const object = snapshot.set?.integrations.find((i) => i.manifest.metadata.name === name);
  const connectionName = object?.manifest.spec.connection;
  const connection = snapshot.set?.connections.find((c) => c.manifest.metadata.name === connectionName)?.manifest;
  const targets = new Set(object?.manifest.spec.environments ?? []);
  const environments = snapshot.order.map((env) => ({
    name: env,
    targeted: targets.has(env),
    cell: row.cells[env]!,
    ...(connection && connection.spec.environments[env] ? { authType: connection.spec.auth.type } : {}),
  }));
  const candidates = environment ? [environment] : environments.filter((e) => e.cell.version !== undefined).map((e) => e.name);
  let catalog: ActionCatalog | undefined;
  let artifactFrom: string | undefined;
  for (const env of candidates) {
    catalog = await readCatalog(env, name);
    if (catalog) {
      artifactFrom = env;
      break;
    }
  }
  return {
    name,
    system: row.system,
    labels: row.labels,
    ...(connectionName ? { connection: connectionName } : {}),
    ...(object ? { manifest: stringify(object.manifest) } : {}),
    environments,
    ...(artifactFrom ? { artifactFrom } : {}),
    actions: (catalog?.actions ?? []).map((a) => ({ name: a.name, kind: a.kind, ...(a.entity ? { entity: a.entity } : {}), ...(a.summary ? { summary: a.summary } : {}) })),
    ...(catalog ? { declarations: await renderDeclarations(catalog) } : {}),
  };
}

/** "What changes in `to` if `from` is promoted": the interface changes from `to`'s catalog to `from`'s. */
export async function interfaceDiffOf(name: string, from: string, to: string, readCatalog: ReadCatalog): Promise<InterfaceDiff> {
  const [promoted, current] = await Promise.all([readCatalog(from, name), readCatalog(to, name)]);
  const empty = (integration: string): ActionCatalog => ({ ...({} as ActionCatalog), integration, entities: [], actions: [], definitions: {} });
  const changes = promoted || current ? diffCatalogs(current ?? empty(name), promoted ?? empty(name)) : [];
  return { integration: name, from, to, published: { from: promoted !== undefined, to: current !== undefined }, changes };
}
