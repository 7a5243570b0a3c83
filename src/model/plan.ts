import { accessOf, groupRoleName, otherAccess, type Access } from './group-roles.js';
import type { ObservedDatabase, PasswordVerdict, RoleAttributes, RoleObservation, ObservedRole, ObservedServer } from './observed.js';
import { formatMarker, type OwnershipMarker } from './ownership-marker.js';
import type { PasswordEncryption } from './password-encryption.js';
import type { RoleAction } from './role-actions.js';

/** What the operator wants in PostgreSQL for one DatabaseUser. */
export interface DesiredRole {
  username: string;
  readOnly: boolean;
  password: string;
  encryption: PasswordEncryption;
  marker: OwnershipMarker;
  /** spec.validUntil as RFC 3339, or null for no expiry. */
  validUntil: string | null;
  /** spec.connectionLimit; -1 is unlimited. */
  connectionLimit: number;
}

export const desiredAttributes: RoleAttributes = {
  login: true,
  inherit: true,
  superuser: false,
  createDb: false,
  createRole: false,
  replication: false,
  bypassRls: false,
  validUntil: null,
  connectionLimit: -1,
};

const accesses: readonly Access[] = ['readonly', 'readwrite'];

/**
 * Every change that turns the observation into the desired role, in the order they must run: the
 * database's group roles first (a read-write user's default privileges name both groups), then the
 * role. `password` says whether the stored password is the desired one. Pure; an empty list means
 * PostgreSQL already matches and nothing is written.
 */
export function planRoleActions(desired: DesiredRole, observation: RoleObservation, password: PasswordVerdict): RoleAction[] {
  return [...planGroups(observation.database), ...planRole(desired, observation.database, observation.role, password, observation.server)];
}

/** The group roles of the user's database: both must exist with their full privileges. */
export function planGroups(database: ObservedDatabase): RoleAction[] {
  const actions: RoleAction[] = [];
  for (const access of accesses) {
    const group = groupRoleName(access, database.name);
    const observed = database.groups[access];
    if (!observed.exists) actions.push({ kind: 'createGroup', access, group });
    if (!observed.exists || !observed.privilegesComplete) {
      actions.push({ kind: 'grantGroupPrivileges', access, group, database: database.name, databaseOwner: database.owner });
    }
  }
  return actions;
}

/** The attributes one user should have: the fixed ones, with its validity and connection limit. */
export function attributesOf(desired: Pick<DesiredRole, 'validUntil' | 'connectionLimit'>): RoleAttributes {
  return { ...desiredAttributes, validUntil: desired.validUntil, connectionLimit: desired.connectionLimit };
}

/** Timestamps are compared as instants: PostgreSQL and the spec spell them differently. */
function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Date.parse(a) === Date.parse(b);
}

function attributeChanges(observed: RoleAttributes, wanted: RoleAttributes): Partial<RoleAttributes> {
  const changes: Partial<RoleAttributes> = {};
  for (const key of Object.keys(wanted) as (keyof RoleAttributes)[]) {
    const same = key === 'validUntil' ? sameInstant(observed.validUntil, wanted.validUntil) : observed[key] === wanted[key];
    if (!same) Object.assign(changes, { [key]: wanted[key] });
  }
  return changes;
}

/** Actions PostgreSQL allows only to a role that has the privileges of the user's role. */
const actsAsUser = new Set<RoleAction['kind']>(['grantDefaultPrivileges', 'revokeDefaultPrivileges', 'reassignOwned']);

/** The role's own changes; a non-superuser admin first holds the role where an action needs it. */
export function planRole(
  desired: DesiredRole,
  database: ObservedDatabase,
  role: ObservedRole | undefined,
  password: PasswordVerdict,
  server: ObservedServer,
): RoleAction[] {
  const actions = planRoleChanges(desired, database, role, password);
  // A non-superuser admin holds every role it creates (as CREATEROLE did implicitly before
  // PostgreSQL 16), and any other role only once an action needs its privileges.
  const mustHold = role === undefined ? !server.adminIsSuperuser : !role.adminActsAs && actions.some((action) => actsAsUser.has(action.kind));
  if (!mustHold) return actions;
  const at = role === undefined ? 1 : actions.findIndex((action) => actsAsUser.has(action.kind));
  return [...actions.slice(0, at), { kind: 'holdRole', username: desired.username }, ...actions.slice(at)];
}

function planRoleChanges(desired: DesiredRole, database: ObservedDatabase, role: ObservedRole | undefined, password: PasswordVerdict): RoleAction[] {
  const { username } = desired;
  const access = accessOf(desired.readOnly);
  const group = groupRoleName(access, database.name);
  const otherGroup = groupRoleName(otherAccess(access), database.name);
  const readwriteGroup = groupRoleName('readwrite', database.name);
  const readonlyGroup = groupRoleName('readonly', database.name);

  if (role === undefined) {
    const actions: RoleAction[] = [{ kind: 'createRole', username, password: desired.password, encryption: desired.encryption, marker: desired.marker }];
    // CREATE ROLE sets the fixed attributes; validity and connection limit follow when not the default.
    const changes = attributeChanges(desiredAttributes, attributesOf(desired));
    if (Object.keys(changes).length > 0) actions.push({ kind: 'alterAttributes', username, changes });
    actions.push({ kind: 'grantMembership', username, group });
    if (access === 'readwrite') actions.push({ kind: 'grantDefaultPrivileges', username, readwriteGroup, readonlyGroup });
    return actions;
  }

  const actions: RoleAction[] = [];
  const changes = attributeChanges(role.attributes, attributesOf(desired));
  if (Object.keys(changes).length > 0) actions.push({ kind: 'alterAttributes', username, changes });
  if (role.comment !== formatMarker(desired.marker)) actions.push({ kind: 'setMarker', username, marker: desired.marker });

  const encryptionDiffers = password.encryption !== undefined && password.encryption !== desired.encryption;
  if (password.matches === false || encryptionDiffers) {
    actions.push({ kind: 'setPassword', username, password: desired.password, encryption: desired.encryption });
  }

  if (!role.memberOf.includes(group)) actions.push({ kind: 'grantMembership', username, group });
  if (role.memberOf.includes(otherGroup)) actions.push({ kind: 'revokeMembership', username, group: otherGroup });

  if (access === 'readwrite' && role.defaultPrivileges !== 'complete') {
    actions.push({ kind: 'grantDefaultPrivileges', username, readwriteGroup, readonlyGroup });
  }
  if (access === 'readonly') {
    if (role.defaultPrivileges !== 'none') actions.push({ kind: 'revokeDefaultPrivileges', username, readwriteGroup, readonlyGroup });
    // An owner can write its own tables whatever its grants: a read-only user owns nothing.
    if (role.ownsObjects) actions.push({ kind: 'reassignOwned', username, to: database.owner });
  }
  return actions;
}
