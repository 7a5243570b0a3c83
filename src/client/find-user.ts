import { usernameOf, viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { OperationFailed } from './operation-failed.js';
import type { Session } from './session.js';

/**
 * The DatabaseUser with this username in the session's namespace, as the provider addresses users.
 * Two with the same username (on different connections) need --name to tell them apart.
 */
export async function findUser(session: Session, username: string, name: string | undefined): Promise<DatabaseUser> {
  const { client, namespace } = session;
  if (name !== undefined) {
    const user = await client.getUser(name);
    if (!user) throw new OperationFailed(`DatabaseUser "${name}" not found in namespace "${namespace}"`);
    if (usernameOf(user) !== username) throw new OperationFailed(`DatabaseUser "${name}" is user "${usernameOf(user)}", not "${username}"`);
    return user;
  }
  const matches = (await client.listUsers()).filter((user) => usernameOf(user) === username);
  const [first, ...others] = matches;
  if (!first) throw new OperationFailed(`user "${username}" not found in namespace "${namespace}" ("kubectl dbuser list -n ${namespace}" lists them)`);
  if (others.length > 0) {
    const described = matches.map((user) => {
      const view = viewDatabaseUser(user);
      return `"${view.name}" (connection ${view.connection === undefined ? 'default' : `"${view.connection}"`})`;
    });
    throw new OperationFailed(
      `${matches.length} DatabaseUsers in namespace "${namespace}" have username "${username}": ${described.join(', ')}; choose one with --name`,
    );
  }
  return first;
}
