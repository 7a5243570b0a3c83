/** The JSON the dashboard's server and its page exchange: one definition, imported by both sides. */

/** One row of the Database Users table. */
export interface UserRow {
  /** metadata.name: how the page's API addresses the user. */
  name: string;
  username: string;
  readOnly: boolean;
  protected: boolean;
  passwordEncryption: string;
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  /** The operator's message, as written. */
  message: string;
  /** The reason in words a person understands (explain.ts). */
  explanation: string;
  deleting: boolean;
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
}

/** The answer to create and reset: the generated password, shown once, when there is one. */
export interface PasswordResult {
  username: string;
  password?: string;
}

export interface Problem {
  error: string;
}

/** Server-sent event names of the users stream. */
export const usersEvent = 'users';
export const problemEvent = 'problem';

export function usersPath(namespace: string, name?: string): string {
  return `/api/namespaces/${encodeURIComponent(namespace)}/users${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
