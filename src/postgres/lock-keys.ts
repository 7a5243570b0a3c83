import { createHash } from 'node:crypto';

/** First key of every advisory lock the operator takes ("dbus"), so they stand out in pg_locks. */
export const lockNamespace = 0x64627573;

function int32Of(text: string): number {
  return createHash('sha256').update(text).digest().readInt32BE(0);
}

/** Serialises changes to one role across reconciles, retries and replicas. */
export function roleLockKey(username: string): [number, number] {
  return [lockNamespace, int32Of(`role:${username}`)];
}

/** Serialises changes to one database's group roles and their grants. */
export function databaseLockKey(database: string): [number, number] {
  return [lockNamespace, int32Of(`database:${database}`)];
}

/** Serialises creating, adopting and dropping one database and its owner role (a session lock: CREATE DATABASE runs outside a transaction). */
export function databaseObjectsLockKey(database: string): [number, number] {
  return [lockNamespace, int32Of(`database-objects:${database}`)];
}
