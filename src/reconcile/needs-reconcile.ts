import type { DatabaseUser } from '../api/database-user.js';
import type { Database } from '../api/database.js';
import { defaultUserOfLabel, finalizerName, resetPasswordAnnotation, shardKeyLabel } from '../api/names.js';

const hasFinalizer = (user: DatabaseUser): boolean => (user.metadata.finalizers ?? []).includes(finalizerName);

/**
 * Whether an update needs a reconcile: a new generation (spec), deletion, a reset request, or our
 * finalizer removed by someone. Status-only changes (the operator's own writes) do not.
 */
export function needsReconcile(previous: DatabaseUser, current: DatabaseUser): boolean {
  return (
    previous.metadata.generation !== current.metadata.generation ||
    previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp ||
    previous.metadata.annotations?.[resetPasswordAnnotation] !== current.metadata.annotations?.[resetPasswordAnnotation] ||
    (hasFinalizer(previous) && !hasFinalizer(current))
  );
}

const readyOf = (user: DatabaseUser) => user.status?.conditions?.find((condition) => condition.type === 'Ready');

/**
 * Whether a change of a DatabaseUser concerns its Database: a user added or gone (its count, its
 * deletion waiting for them), or its default user's readiness (the Database is Ready with it).
 */
export function concernsDatabase(previous: DatabaseUser | undefined, current: DatabaseUser | undefined): boolean {
  if (previous === undefined || current === undefined) return true;
  if (current.metadata.labels?.[defaultUserOfLabel] === undefined) return previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp;
  const [before, after] = [readyOf(previous), readyOf(current)];
  return (
    before?.status !== after?.status ||
    before?.observedGeneration !== after?.observedGeneration ||
    previous.metadata.generation !== current.metadata.generation ||
    previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp
  );
}

/** What a change of a Database (added: no previous; deleted: no current) means for it, its users and its server. */
export function databaseChangeEffects(previous: Database | undefined, current: Database | undefined): { database: boolean; users: boolean; server: boolean } {
  if (previous === undefined || current === undefined) return { database: true, users: true, server: true };
  const deletion = previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp;
  const created = previous.status?.databaseName !== current.status?.databaseName;
  // Moved to another shard (ADR 25): the shard it joins takes it over, and its users learn whether they still match it.
  const moved = previous.metadata.labels?.[shardKeyLabel] !== current.metadata.labels?.[shardKeyLabel];
  return {
    // Its own status writes do not call for another pass; a new spec, deletion or a finalizer removed do.
    database:
      deletion || moved || previous.metadata.generation !== current.metadata.generation || !sameList(previous.metadata.finalizers, current.metadata.finalizers),
    // Users wait for the database name (DatabaseNotReady), and learn when it goes.
    users: deletion || created || moved,
    server: deletion || created || previous.status?.users !== current.status?.users,
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join('\u0000') === (b ?? []).join('\u0000');
}
