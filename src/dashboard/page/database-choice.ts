/**
 * Which users the page shows (pure): those of the picked Database, else of the namespace's first;
 * in a namespace without Databases all of them, as before Databases. Users on connections beside
 * Databases get a choice of their own, so none is out of reach.
 */
import type { DatabaseRow, UserRow } from '../wire.js';

/** The picker's value for the users on connections: not a Database name ("_" is not allowed in one). */
export const otherUsersKey = '_connections';

export interface ShownChoice {
  /** undefined: no Databases, every user; otherUsersKey: the users on connections; else a Database's name. */
  key: string | undefined;
  database: DatabaseRow | undefined;
  /** Whether the namespace has users on connections beside its Databases (the picker then offers them). */
  otherUsers: boolean;
}

export function settleDatabaseChoice(databases: readonly DatabaseRow[], picked: string | undefined, users: readonly UserRow[]): ShownChoice {
  const otherUsers = users.some((user) => user.database === undefined);
  const [first] = databases;
  if (first === undefined) return { key: undefined, database: undefined, otherUsers };
  if (picked === otherUsersKey && otherUsers) return { key: otherUsersKey, database: undefined, otherUsers };
  const database = databases.find((candidate) => candidate.name === picked) ?? first;
  return { key: database.name, database, otherUsers };
}

export function rowsOfChoice(users: readonly UserRow[], choice: ShownChoice): UserRow[] {
  if (choice.key === undefined) return [...users];
  if (choice.key === otherUsersKey) return users.filter((user) => user.database === undefined);
  return users.filter((user) => user.database === choice.key);
}
