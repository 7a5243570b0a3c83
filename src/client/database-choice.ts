/**
 * Which Database a command acts on, the provider's `--database <ID>`: the one named, else the only
 * Database of the namespace; a namespace without Databases keeps the users on connections, as
 * before Databases existed. Decided here (pure) for both front ends; the listing is in resolveDatabase.
 */
import { KubeApiError } from '../kube/api-error.js';
import { viewDatabase, inCreationOrder, type DatabaseView } from './database-view.js';
import { OperationFailed } from './operation-failed.js';
import type { NewUserRequest } from './new-user.js';
import type { Session } from './session.js';

export type DatabaseChoice =
  /** `explicit`: named with --database (then a user of another Database is refused), else the namespace's only one. */
  | { kind: 'database'; database: DatabaseView; explicit: boolean }
  /** No Database in the namespace: users with their own connection, or on the operator's default one. */
  | { kind: 'none' };

export type DatabaseChoiceProblem =
  | { kind: 'not-found'; namespace: string; given: string; available: readonly DatabaseView[] }
  /** Several Databases and none named: a usage error, listing them. */
  | { kind: 'several'; namespace: string; available: readonly DatabaseView[] };

/** "my-app" (my_app_4553), "reports" (reports_0042) */
export function describeDatabases(databases: readonly DatabaseView[]): string {
  return databases.map((database) => `"${database.name}"${database.databaseName === '' ? '' : ` (${database.databaseName})`}`).join(', ');
}

function describeProblem(problem: DatabaseChoiceProblem): string {
  const { namespace, available } = problem;
  switch (problem.kind) {
    case 'several':
      return `namespace "${namespace}" has ${String(available.length)} Databases: choose one with --database: ${describeDatabases(available)}`;
    case 'not-found':
      return `Database "${problem.given}" not found in namespace "${namespace}" (${available.length === 0 ? 'it has none' : `its Databases: ${describeDatabases(available)}`})`;
  }
}

/** No Database chosen: `problem` says why, for each front end to word or to turn into a usage error. */
export class DatabaseNotChosen extends OperationFailed {
  constructor(readonly problem: DatabaseChoiceProblem) {
    super(describeProblem(problem));
    this.name = 'DatabaseNotChosen';
  }
}

/** The choice among the namespace's Databases (in the order people see them); throws DatabaseNotChosen. */
export function chooseDatabase(namespace: string, databases: readonly DatabaseView[], given: string | undefined): DatabaseChoice {
  if (given !== undefined) {
    const named = databases.find((database) => database.name === given);
    if (!named) throw new DatabaseNotChosen({ kind: 'not-found', namespace, given, available: databases });
    return { kind: 'database', database: named, explicit: true };
  }
  const [only, ...others] = databases;
  if (only === undefined) return { kind: 'none' };
  if (others.length > 0) throw new DatabaseNotChosen({ kind: 'several', namespace, available: databases });
  return { kind: 'database', database: only, explicit: false };
}

/**
 * The namespace's Databases, in creation order. Someone who may not list Databases (403), or a
 * cluster without the kind (404, an operator older than Databases), has none to choose from.
 */
export async function readDatabases(session: Session): Promise<DatabaseView[]> {
  try {
    return inCreationOrder(await session.client.listDatabases()).map(viewDatabase);
  } catch (error) {
    if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return [];
    throw error;
  }
}

/** Lists the namespace's Databases and chooses among them (chooseDatabase). */
export async function resolveDatabase(session: Session, given: string | undefined): Promise<DatabaseChoice> {
  return chooseDatabase(session.namespace, await readDatabases(session), given);
}

/**
 * Where `create` puts a new user. On a Database (databaseRef): the one --database names, else the
 * namespace's only one. With --connection, or in a namespace without Databases, as before Databases:
 * on that connection (or the default one), --database naming the PostgreSQL database there.
 * Throws DatabaseNotChosen.
 */
export function placeNewUser(namespace: string, databases: readonly DatabaseView[], request: Omit<NewUserRequest, 'databaseRef'>): NewUserRequest {
  if (request.connection !== undefined || databases.length === 0) return { ...request, databaseRef: undefined };
  const choice = chooseDatabase(namespace, databases, request.database);
  return { ...request, database: undefined, databaseRef: choice.kind === 'database' ? choice.database.name : undefined };
}
