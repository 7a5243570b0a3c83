/** A Database as people's tools show it (`kubectl dbuser databases`, the dashboard's picker), and which users are its own. */
import type { DatabaseUser } from '../api/database-user.js';
import type { Database } from '../api/database.js';
import { conditionTypes } from '../api/conditions.js';

export interface DatabaseView {
  /** metadata.name: what --database names. */
  name: string;
  /** The database in PostgreSQL; until the operator has created it, what the spec asks for ('' when it derives it). */
  databaseName: string;
  /** The DatabaseServer it is on. */
  server: string;
  /** The username of its protected default user ('' until it exists). */
  defaultUser: string;
  /** Its DatabaseUsers, the default user included, as the operator last counted them. */
  users: number | undefined;
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  deleting: boolean;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Read from the status first (what exists), else the spec (what is asked), tolerating an invalid spec. */
export function viewDatabase(database: Database): DatabaseView {
  const spec = (typeof database.spec === 'object' && database.spec !== null ? database.spec : {}) as { serverRef?: { name?: unknown }; databaseName?: unknown };
  const status = database.status;
  const ready = status?.conditions?.find((condition) => condition.type === conditionTypes.Ready);
  return {
    name: database.metadata.name ?? '',
    databaseName: status?.databaseName ?? text(spec.databaseName),
    server: status?.server ?? text(spec.serverRef?.name),
    defaultUser: status?.defaultUser?.username ?? '',
    users: status?.users,
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    deleting: database.metadata.deletionTimestamp !== undefined,
  };
}

/** spec.databaseRef.name even when the rest of the spec is invalid; undefined for a user on a connection. */
export function databaseOf(user: DatabaseUser): string | undefined {
  const spec = user.spec as { databaseRef?: { name?: unknown } } | undefined;
  return typeof spec?.databaseRef?.name === 'string' ? spec.databaseRef.name : undefined;
}

/** The users of one Database (databaseRef to it), its default user among them. */
export function usersOfDatabase(users: readonly DatabaseUser[], database: string): DatabaseUser[] {
  return users.filter((user) => databaseOf(user) === database);
}

/** The Databases in the order people see them: as they were created, then by name (code point). */
export function inCreationOrder(databases: readonly Database[]): Database[] {
  const key = (database: Database) => [database.metadata.creationTimestamp ?? '', database.metadata.name ?? ''] as const;
  return [...databases].sort((a, b) => {
    const [createdA, nameA] = key(a);
    const [createdB, nameB] = key(b);
    return createdA < createdB ? -1 : createdA > createdB ? 1 : nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
  });
}
