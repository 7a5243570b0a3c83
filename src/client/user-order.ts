import { viewDatabaseUser } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import { defaultUserOfLabel } from '../api/names.js';

/**
 * The order the provider lists a database's users in, shared by `kubectl dbuser list` (every -o) and
 * the dashboard's table: a Database's default user first, then the other protected ones, then the
 * others, each group in the order they were created. creationTimestamp counts whole seconds, so users created
 * in the same second follow their metadata.name; the comparison is by code point, whatever the locale.
 */
export function inProviderOrder(users: readonly DatabaseUser[]): DatabaseUser[] {
  return users
    .map((user) => ({ user, first: rank(user), created: user.metadata.creationTimestamp ?? '', name: user.metadata.name ?? '' }))
    .sort((a, b) => a.first - b.first || byCodePoint(a.created, b.created) || byCodePoint(a.name, b.name))
    .map(({ user }) => user);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 0: a Database's default user; 1: another protected user; 2: the rest. */
function rank(user: DatabaseUser): number {
  if (user.metadata.labels?.[defaultUserOfLabel] !== undefined) return 0;
  return viewDatabaseUser(user).protected ? 1 : 2;
}
