import type { ConnectionSettings } from '../api/connection.js';
import { databaseServerSpecSchema, type DatabaseServerLimits, type DatabaseServerSpec } from '../api/database-server.js';
import type { DatabaseUser, DatabaseUserSpec } from '../api/database-user.js';
import { databaseSpecSchema, type Database } from '../api/database.js';
import { defaultUserOfLabel, shardKeyLabel } from '../api/names.js';
import type { ConnectionResolver } from './connection-resolver.js';
import type { KubernetesPort } from './ports.js';
import { ReconcileProblem } from './problems.js';
import { effectiveConnectionLimit, notAllowed, serverAllows, userLimitProblem } from './server-rules.js';

/** Where a DatabaseUser's role lives and what it may get there. */
export interface Placement {
  /** Admin credentials for the server (its database is where the operator connects and locks). */
  connection: ConnectionSettings;
  /** The database the user is granted access to. */
  database: string;
  /** The CONNECTION LIMIT the role gets (the server's largest, for an unlimited request on a limited server). */
  connectionLimit: number;
}

export interface PlacementPorts {
  kubernetes: KubernetesPort;
  connections: ConnectionResolver;
  /** The operator's namespace, where the DatabaseServers' admin Secrets are. */
  operatorNamespace: string;
  /** Whether a Database belongs to this instance's shard (ADR 25); absent: every one does. */
  databaseInShard?: (database: Database) => boolean;
}

/**
 * Where the user's role lives (DESIGN §13): through its Database (the tenant-safe way: the server the
 * platform registered, the database the namespace owns), its own connection Secret (a server whose
 * admin credentials the namespace holds), or the operator's default connection, which hands out no
 * database but its own. Refusals are ReconcileProblems with their specific reasons.
 */
export async function resolvePlacement(ports: PlacementPorts, user: DatabaseUser, spec: DatabaseUserSpec): Promise<Placement> {
  const namespace = user.metadata.namespace ?? '';
  if (spec.databaseRef !== undefined) {
    refuseOtherShard(ports, namespace, spec.databaseRef.name);
    const { connection, database, server, limits } = await resolveDatabase(ports, namespace, spec.databaseRef.name);
    if (!serverAllows(server.spec, namespace, ports.kubernetes.namespaceLabels(namespace))) {
      const refusal = notAllowed(server.name, namespace);
      throw new ReconcileProblem(refusal.reason, refusal.message, 'when-changed');
    }
    const isDefaultUser = user.metadata.labels?.[defaultUserOfLabel] === spec.databaseRef.name;
    const siblings = ports.kubernetes
      .usersOfDatabase(namespace, spec.databaseRef.name)
      .filter((sibling) => sibling.metadata.labels?.[defaultUserOfLabel] !== spec.databaseRef?.name);
    const over = userLimitProblem(server.name, limits, { name: user.metadata.name ?? '', isDefaultUser }, spec, siblings);
    if (over) throw new ReconcileProblem(over.reason, over.message, 'when-changed');
    return { connection, database, connectionLimit: effectiveConnectionLimit(limits, spec.connectionLimit) };
  }
  const connection = await ports.connections.resolve(namespace, spec.connection?.secretName);
  if (spec.connection === undefined && spec.database !== undefined && spec.database !== connection.database) {
    throw new ReconcileProblem(
      'DatabaseNotAllowed',
      `with the operator's default connection a user gets only its database "${connection.database}", not "${spec.database}": ask for a Database of your own and name it in spec.databaseRef`,
      'when-changed',
    );
  }
  return { connection, database: spec.database ?? connection.database, connectionLimit: spec.connectionLimit };
}

/**
 * A user's Database in another shard (ADR 25): that shard counts its users against the server's limits
 * and waits for them before the Database goes, and it does not see this user. Refused until both carry
 * the same shard key; deleting such a user still drops its role (resolveDatabase).
 */
function refuseOtherShard(ports: PlacementPorts, namespace: string, name: string): void {
  const database = ports.kubernetes.database(namespace, name);
  if (database === undefined || ports.databaseInShard === undefined || ports.databaseInShard(database)) return;
  const key = database.metadata.labels?.[shardKeyLabel];
  throw new ReconcileProblem(
    'ShardMismatch',
    `Database "${name}" is in another operator shard (${key === undefined ? `no ${shardKeyLabel} label` : `${shardKeyLabel}=${key}`}): give this DatabaseUser the same ${shardKeyLabel} label as its Database`,
    'when-changed',
  );
}

/**
 * The admin connection and database of a user's Database, for work that must go on whatever the
 * server's rules say now (dropping the role of a user being deleted).
 */
export async function resolveDatabase(
  ports: PlacementPorts,
  namespace: string,
  name: string,
): Promise<{ connection: ConnectionSettings; database: string; server: { name: string; spec: DatabaseServerSpec }; limits: DatabaseServerLimits | undefined }> {
  const object = ports.kubernetes.database(namespace, name);
  if (object === undefined) throw new ReconcileProblem('DatabaseNotFound', `Database "${name}" not found in namespace "${namespace}"`, 'when-changed');
  const databaseSpec = databaseSpecSchema.safeParse(object.spec);
  const database = object.status?.databaseName;
  if (!databaseSpec.success || database === undefined) {
    throw new ReconcileProblem('DatabaseNotReady', `Database "${name}" is not created yet: waiting for it (kubectl get database ${name})`, 'when-changed');
  }
  const serverName = databaseSpec.data.serverRef.name;
  const server = ports.kubernetes.databaseServer(serverName);
  const serverSpec = databaseServerSpecSchema.safeParse(server?.spec);
  if (server === undefined || !serverSpec.success) {
    throw new ReconcileProblem('ServerNotFound', `DatabaseServer "${serverName}" of Database "${name}" is not registered`, 'when-changed');
  }
  const admin = await ports.connections.resolveSecret({ namespace: ports.operatorNamespace, name: serverSpec.data.adminSecretRef.name });
  return { connection: admin, database, server: { name: serverName, spec: serverSpec.data }, limits: serverSpec.data.limits };
}
