/**
 * Whether a new user can go where it is asked to, decided from the namespace's DatabaseUsers before
 * anything is written (pure), and the refusal both front ends word in their own way.
 */
import { usernameOf, viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { databaseOf } from './database-view.js';
import { OperationFailed } from './operation-failed.js';

/** What is in the way of a new user. */
export type PlacementConflict =
  /** A DatabaseUser already has this username on this connection: the user exists (or is being deleted). */
  | { kind: 'user-exists'; namespace: string; username: string; name: string; deleting: boolean }
  /** Another user holds the DatabaseUser name (metadata.name) the new one would get. */
  | { kind: 'name-taken'; namespace: string; username: string; name: string; takenBy: string }
  /** A Secret holds the name the chosen password's Secret would get. */
  | { kind: 'password-secret-taken'; namespace: string; username: string; secretName: string };

/** Where the new user would go: its metadata.name, username, and connection (undefined: the default one) or Database. */
export interface Placement {
  namespace: string;
  name: string;
  username: string;
  connection: string | undefined;
  /** The Database (spec.databaseRef) it would belong to; undefined: on a connection. */
  database: string | undefined;
}

/**
 * The first conflict of a new user with the namespace's users. The same username on the same
 * connection (or Database) is the same PostgreSQL role, whatever the name: that user exists, and a
 * new name would not help. The same username elsewhere may be another server's role: the operator decides.
 */
export function placementConflict(users: readonly DatabaseUser[], placement: Placement): PlacementConflict | undefined {
  const { namespace, name, username, connection, database } = placement;
  const same = users.find((user) => usernameOf(user) === username && viewDatabaseUser(user).connection === connection && databaseOf(user) === database);
  if (same) return { kind: 'user-exists', namespace, username, name: same.metadata.name ?? '', deleting: same.metadata.deletionTimestamp !== undefined };
  const taken = users.find((user) => user.metadata.name === name);
  if (taken) return { kind: 'name-taken', namespace, username, name, takenBy: usernameOf(taken) };
  return undefined;
}

/** The command line's words; the dashboard has its own for the form's username field (explain.ts). */
function describeConflict(conflict: PlacementConflict): string {
  const { namespace, username } = conflict;
  switch (conflict.kind) {
    case 'user-exists':
      return conflict.deleting
        ? `user "${username}" is being deleted in namespace "${namespace}" (DatabaseUser "${conflict.name}"): create it again once it is gone; nothing was changed`
        : `user "${username}" already exists in namespace "${namespace}" (DatabaseUser "${conflict.name}"): choose another username, or give it a new password with "kubectl dbuser update-password ${username} -n ${namespace}"; nothing was changed`;
    case 'name-taken':
      return `a DatabaseUser named "${conflict.name}" already exists in namespace "${namespace}" (user "${conflict.takenBy}"): choose another name with --name; nothing was changed`;
    case 'password-secret-taken':
      return `Secret "${conflict.secretName}" already exists in namespace "${namespace}": choose another name with --name, or have a password generated; nothing was changed`;
  }
}

/** A new user refused because of what is already in the namespace; `conflict` says what, for each front end to word. */
export class PlacementRefused extends OperationFailed {
  constructor(
    readonly conflict: PlacementConflict,
    options?: ErrorOptions,
  ) {
    super(describeConflict(conflict), options);
    this.name = 'PlacementRefused';
  }
}
