import type { ReadyReason } from '../api/conditions.js';
import type { DatabaseServerLimits, DatabaseServerSpec } from '../api/database-server.js';
import type { DatabaseUserSpec, ObjectMeta } from '../api/database-user.js';
import { parseDuration } from '../api/duration.js';
import { selectorMatches } from '../api/label-selector.js';

/**
 * What a DatabaseServer lets a namespace do (DESIGN §13), decided from what was read. Pure. A limit on
 * a count admits the first objects by creation (then name) and refuses the later ones, so the same
 * objects keep their place whatever order they are reconciled in.
 */

export interface LimitRefusal {
  reason: Extract<ReadyReason, 'ServerNotAllowed' | 'QuotaExceeded'>;
  message: string;
}

/** Whether the server lets the namespace use it: by name, or by its labels; nobody when neither is given. */
export function serverAllows(spec: DatabaseServerSpec, namespace: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (spec.namespaces?.includes(namespace)) return true;
  return spec.namespaceSelector !== undefined && labels !== undefined && selectorMatches(spec.namespaceSelector, labels);
}

export function notAllowed(server: string, namespace: string): LimitRefusal {
  return {
    reason: 'ServerNotAllowed',
    message: `DatabaseServer "${server}" does not let namespace "${namespace}" use it (its namespaceSelector and namespaces): ask the platform team, or choose another server`,
  };
}

/** Objects in creation order, then by name: the order limits admit them in. */
export function inCreationOrder<T extends { metadata: ObjectMeta }>(objects: readonly T[]): T[] {
  const key = (object: T) => `${object.metadata.creationTimestamp ?? ''}\u0000${object.metadata.name ?? ''}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Whether `self` is beyond the first `limit` of `objects` (self included), in creation order. */
function beyond(objects: readonly { metadata: ObjectMeta }[], self: { name: string }, limit: number): boolean {
  const index = inCreationOrder(objects).findIndex((object) => object.metadata.name === self.name);
  return index >= limit || index === -1;
}

/** A Database over the server's per-namespace count; `siblings` are the namespace's Databases on that server, itself included. */
export function databaseLimitProblem(
  server: string,
  limits: DatabaseServerLimits | undefined,
  self: { name: string },
  siblings: readonly { metadata: ObjectMeta }[],
): LimitRefusal | undefined {
  if (limits?.databases === undefined || !beyond(siblings, self, limits.databases)) return undefined;
  return {
    reason: 'QuotaExceeded',
    message: `DatabaseServer "${server}" allows ${String(limits.databases)} Databases per namespace and this namespace has ${String(siblings.length)}: delete one, or ask the platform team for more`,
  };
}

/**
 * A user of a Database over the server's limits: the number of users per Database (its default user
 * not counted), the largest connection limit, MD5, the shortest rotation. `siblings` are the
 * Database's other users and this one, its default user excluded.
 */
export function userLimitProblem(
  server: string,
  limits: DatabaseServerLimits | undefined,
  self: { name: string; isDefaultUser: boolean },
  spec: DatabaseUserSpec,
  siblings: readonly { metadata: ObjectMeta }[],
): LimitRefusal | undefined {
  if (limits === undefined) return undefined;
  const quota = (message: string): LimitRefusal => ({ reason: 'QuotaExceeded', message: `DatabaseServer "${server}" ${message}` });
  if (!self.isDefaultUser && limits.usersPerDatabase !== undefined && beyond(siblings, self, limits.usersPerDatabase)) {
    return quota(`allows ${String(limits.usersPerDatabase)} users per database besides its default user: delete one, or ask the platform team for more`);
  }
  if (limits.maxConnectionLimit !== undefined && spec.connectionLimit > limits.maxConnectionLimit) {
    return quota(`allows a connection limit of at most ${String(limits.maxConnectionLimit)}: lower spec.connectionLimit`);
  }
  if (!limits.allowMD5 && spec.passwordEncryption === 'md5') return quota('does not allow MD5 passwords: use passwordEncryption scram-sha-256');
  const shortest = limits.minPasswordRotation === undefined ? undefined : parseDuration(limits.minPasswordRotation);
  const every = spec.passwordRotation === undefined ? undefined : parseDuration(spec.passwordRotation.every);
  if (shortest !== undefined && every !== undefined && every < shortest) {
    return quota(`rotates passwords at most every ${limits.minPasswordRotation ?? ''}: lengthen spec.passwordRotation.every`);
  }
  return undefined;
}

/** The connection limit a user gets: its own, or (unlimited, -1) the server's largest when it sets one. */
export function effectiveConnectionLimit(limits: DatabaseServerLimits | undefined, requested: number): number {
  return requested === -1 && limits?.maxConnectionLimit !== undefined ? limits.maxConnectionLimit : requested;
}
