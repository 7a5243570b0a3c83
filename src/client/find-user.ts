import { usernameOf, viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { databaseOf } from './database-view.js';
import { OperationFailed } from './operation-failed.js';
import type { Session } from './session.js';

/** Where a user is, in words: its Database or its connection. */
export function describePlace(user: DatabaseUser): string {
  const database = databaseOf(user);
  if (database !== undefined) return `of Database "${database}"`;
  const connection = viewDatabaseUser(user).connection;
  return connection === undefined ? "on the operator's default connection" : `on connection "${connection}"`;
}

/** A user found by username that is not of the Database --database named: refused before anything is sent. */
function refuseOtherDatabase(user: DatabaseUser, database: string, namespace: string): never {
  throw new OperationFailed(
    `user "${usernameOf(user)}" is not a user of Database "${database}" in namespace "${namespace}" (it is ${describePlace(user)}); nothing was changed`,
  );
}

/**
 * The DatabaseUser with this username in the session's namespace, as the provider addresses users.
 * Two with the same username (on different connections or Databases) need --name to tell them apart.
 * `database` (a Database named with --database): only its users are candidates, and a user found
 * elsewhere is refused, saying where it is.
 */
export async function findUser(session: Session, username: string, name: string | undefined, database?: string): Promise<DatabaseUser> {
  const { client, namespace } = session;
  if (name !== undefined) {
    const user = await client.getUser(name);
    if (!user) throw new OperationFailed(`DatabaseUser "${name}" not found in namespace "${namespace}"`);
    if (usernameOf(user) !== username) throw new OperationFailed(`DatabaseUser "${name}" is user "${usernameOf(user)}", not "${username}"`);
    if (database !== undefined && databaseOf(user) !== database) refuseOtherDatabase(user, database, namespace);
    return user;
  }
  const all = (await client.listUsers()).filter((user) => usernameOf(user) === username);
  const matches = database === undefined ? all : all.filter((user) => databaseOf(user) === database);
  const [elsewhere] = all;
  if (database !== undefined && matches.length === 0 && elsewhere !== undefined) refuseOtherDatabase(elsewhere, database, namespace);
  const [first, ...others] = matches;
  if (!first) throw new OperationFailed(`user "${username}" not found in namespace "${namespace}" ("kubectl dbuser list -n ${namespace}" lists them)`);
  if (others.length > 0) {
    const described = matches.map((user) => {
      const view = viewDatabaseUser(user);
      const database = databaseOf(user);
      return `"${view.name}" (${database === undefined ? `connection ${view.connection === undefined ? 'default' : `"${view.connection}"`}` : `Database "${database}"`})`;
    });
    throw new OperationFailed(
      `${matches.length} DatabaseUsers in namespace "${namespace}" have username "${username}": ${described.join(', ')}; choose one with --name`,
    );
  }
  return first;
}
