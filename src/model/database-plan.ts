import { formatMarker, parseMarker, type OwnershipMarker } from './ownership-marker.js';

/**
 * A Database's objects in PostgreSQL (DESIGN §13): the database itself, owned by a NOLOGIN role of its
 * own, both marked as the operator's for that Database, and closed to PUBLIC (PostgreSQL lets every
 * role CONNECT to a new database; the Database's groups get CONNECT themselves).
 */
export interface DesiredDatabase {
  name: string;
  /** The NOLOGIN owner role: "dbuser-owner@<name>" cannot be a username ("-" and "@"). */
  owner: string;
  marker: OwnershipMarker;
}

/** What PostgreSQL has of it, read under the database's lock. */
export interface ObservedDatabaseObjects {
  adminUsername: string;
  adminIsSuperuser: boolean;
  database: { owner: string; comment: string | null; publicCanConnect: boolean } | undefined;
  ownerRole: { comment: string | null; adminHoldsIt: boolean } | undefined;
}

export type DatabaseAction =
  | { kind: 'createOwnerRole'; owner: string; comment: string }
  /** A non-superuser admin must be a member of the owner to create a database owned by it. */
  | { kind: 'holdOwnerRole'; owner: string }
  /** CREATE DATABASE cannot run in a transaction: the executor runs it on its own. */
  | { kind: 'createDatabase'; name: string; owner: string }
  | { kind: 'setDatabaseOwner'; name: string; owner: string }
  | { kind: 'markDatabase'; name: string; comment: string }
  | { kind: 'revokePublicAccess'; name: string };

export type DatabaseActionKind = DatabaseAction['kind'];

const ownerCommentPrefix = 'managed by dbuser-operator: owner of database ';

export function ownerRoleName(database: string): string {
  return `dbuser-owner@${database}`;
}

export function ownerRoleComment(database: string): string {
  return `${ownerCommentPrefix}${database}`;
}

/**
 * Why the database (or its owner role) must not be touched for this Database, or undefined when it is
 * this Database's (or absent). As for roles (ADR 5): ours when marked by this uid, or by an earlier
 * Database of the same cluster, namespace and name (it can no longer exist); anyone else's otherwise.
 */
export function databaseOwnershipProblem(desired: DesiredDatabase, observed: ObservedDatabaseObjects): string | undefined {
  const { database, ownerRole } = observed;
  if (database !== undefined) {
    const marker = parseMarker(database.comment);
    const ours =
      marker !== undefined &&
      (marker.uid === desired.marker.uid ||
        (marker.cluster === desired.marker.cluster && marker.namespace === desired.marker.namespace && marker.name === desired.marker.name));
    if (!ours) {
      const owner = marker === undefined ? 'is not managed by dbuser-operator' : `belongs to Database ${marker.namespace}/${marker.name}`;
      return `database "${desired.name}" already exists and ${owner}: choose another spec.databaseName`;
    }
  }
  if (ownerRole !== undefined && ownerRole.comment !== ownerRoleComment(desired.name)) {
    return `role "${desired.owner}" exists and is not the operator's owner role of database "${desired.name}"`;
  }
  return undefined;
}

/** What turns the observation into the desired database, in order. Pure; empty when nothing is to do. */
export function planDatabase(desired: DesiredDatabase, observed: ObservedDatabaseObjects): DatabaseAction[] {
  const actions: DatabaseAction[] = [];
  const { name, owner } = desired;
  if (observed.ownerRole === undefined) actions.push({ kind: 'createOwnerRole', owner, comment: ownerRoleComment(name) });
  if (!observed.adminIsSuperuser && observed.ownerRole?.adminHoldsIt !== true) actions.push({ kind: 'holdOwnerRole', owner });
  const marker = formatMarker(desired.marker);
  if (observed.database === undefined) {
    actions.push({ kind: 'createDatabase', name, owner }, { kind: 'markDatabase', name, comment: marker }, { kind: 'revokePublicAccess', name });
    return actions;
  }
  if (observed.database.owner !== owner) actions.push({ kind: 'setDatabaseOwner', name, owner });
  if (observed.database.comment !== marker) actions.push({ kind: 'markDatabase', name, comment: marker });
  if (observed.database.publicCanConnect) actions.push({ kind: 'revokePublicAccess', name });
  return actions;
}

/** One database under its advisory lock: what may be done to it while the lock is held. */
export interface LockedDatabase {
  observe(): Promise<ObservedDatabaseObjects>;
  /** Runs the actions in order (CREATE DATABASE on its own, outside any transaction). */
  execute(actions: readonly DatabaseAction[]): Promise<void>;
  /** Drops the database, ending its sessions, then its owner role. */
  drop(): Promise<void>;
}
