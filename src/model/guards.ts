import type { Access } from './group-roles.js';
import type { RoleObservation } from './observed.js';
import { isGroupRoleComment, parseMarker, type OwnershipMarker } from './ownership-marker.js';

const accesses: readonly Access[] = ['readonly', 'readwrite'];

/**
 * Why the operator must not touch the role (or its database's group roles), or undefined when it is
 * ours to manage (or absent). The rules of "never take over a role that is not ours": the
 * connection's own role and superusers are never managed; a role without our marker belongs to
 * someone else; a role marked by another DatabaseUser belongs to it. One exception: a role marked by
 * an earlier DatabaseUser of the same namespace and name in the same cluster is adopted, because that
 * DatabaseUser can no longer exist (deleted with deletionPolicy Retain, or its finalizer removed).
 */
export function ownershipProblem(username: string, observation: RoleObservation, owner: OwnershipMarker): string | undefined {
  return roleOwnershipProblem(username, observation, owner) ?? groupOwnershipProblem(observation);
}

export function roleOwnershipProblem(username: string, { role, server }: Pick<RoleObservation, 'role' | 'server'>, owner: OwnershipMarker): string | undefined {
  if (username === server.adminUsername) return `role "${username}" is the connection's own admin role and is never managed`;
  if (role === undefined) return undefined;
  if (role.attributes.superuser) return `role "${username}" exists and is a superuser; superusers are never managed`;
  const marker = parseMarker(role.comment);
  if (marker === undefined) return `role "${username}" already exists and is not managed by dbuser-operator; it was left untouched`;
  if (marker.uid === owner.uid) return undefined;
  if (marker.cluster === owner.cluster && marker.namespace === owner.namespace && marker.name === owner.name) return undefined;
  const where = marker.cluster === owner.cluster ? '' : ' in another cluster';
  return `role "${username}" is managed by DatabaseUser ${marker.namespace}/${marker.name}${where}; it was left untouched`;
}

/** A group role name taken by a role that is not ours (the names cannot be usernames, so rare). */
function groupOwnershipProblem({ database }: Pick<RoleObservation, 'database'>): string | undefined {
  for (const access of accesses) {
    const group = database.groups[access];
    if (group.exists && !isGroupRoleComment(group.comment)) {
      return `the ${access} group role of database "${database.name}" exists but is not managed by dbuser-operator`;
    }
  }
  return undefined;
}
