/** The JSON the dashboard's server and its page exchange: one definition, imported by both sides. */
import type { DatabaseUserView } from '../api/database-user-view.js';
import type { DatabaseView } from '../client/database-view.js';

/**
 * One row of the Database Users table: the view the command line shows (its name addresses the user
 * in the page's API; its message is the operator's, as written), with the reason in words.
 */
export interface UserRow extends Pick<
  DatabaseUserView,
  'name' | 'username' | 'readOnly' | 'protected' | 'passwordEncryption' | 'ready' | 'reason' | 'message' | 'deleting'
> {
  /** The reason in words a person understands (explain.ts). */
  explanation: string;
  /** The Database it belongs to (spec.databaseRef); absent: a user on a connection. */
  database?: string;
  /** The Database whose protected default user it is: it goes only with that Database. */
  defaultUserOf?: string;
}

/** One Database of the namespace, for the page's picker (`kubectl dbuser databases` shows the same). */
export type DatabaseRow = DatabaseView;

/** What the live stream sends after each change: the namespace's users (provider's order) and Databases (creation order). */
export interface NamespaceSnapshot {
  users: UserRow[];
  databases: DatabaseRow[];
}

export interface NamespaceChoice {
  /** The namespace the command was started for (-n, else the context's). */
  current: string;
  /** Every namespace, or undefined when the person may not list them. */
  available: string[] | undefined;
}

export interface CreateUserRequest {
  username: string;
  readOnly: boolean;
  /** Absent: the operator generates one. */
  password?: string;
  /** The Database to add the user to (spec.databaseRef); absent: the operator's default connection. */
  database?: string;
}

/** The answer to create and reset: the generated password, shown once, when there is one. */
export interface PasswordResult {
  username: string;
  password?: string;
  /**
   * Why the password is not in use yet: the wait for the operator ended first, but the credentials
   * Secret already holds the password the role will get, so it is shown now, once, as it would have been.
   */
  notReady?: string;
}

export interface Problem {
  error: string;
  /** The form field the error is about, when there is one (the page shows it there). */
  field?: 'username';
}

/** Server-sent event names of the users stream: usersEvent carries a NamespaceSnapshot. */
export const usersEvent = 'users';
export const problemEvent = 'problem';

export function usersPath(namespace: string, name?: string): string {
  return `/api/namespaces/${encodeURIComponent(namespace)}/users${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
