import type { PasswordEncryption } from '../postgres/password-hash.js';
import type { Access } from '../postgres/group-roles.js';

/** Role attributes the operator keeps as it wants them (connection limit is left to the admin). */
export interface RoleAttributes {
  login: boolean;
  inherit: boolean;
  superuser: boolean;
  createDb: boolean;
  createRole: boolean;
  replication: boolean;
  bypassRls: boolean;
  /** ISO timestamp, or null for no expiry. */
  validUntil: string | null;
}

/** How the role's privileges in its database look, relative to what the operator grants. */
export type Completeness = 'complete' | 'partial' | 'none';

export interface ObservedRole {
  attributes: RoleAttributes;
  comment: string | null;
  /** Names of the roles this role is a member of. */
  memberOf: string[];
  /** Default privileges FOR ROLE <user> IN SCHEMA public towards this database's groups. */
  defaultPrivileges: Completeness;
  /** Whether the role owns any object in its database. */
  ownsObjects: boolean;
  /**
   * Whether the connection's role has this role's privileges (always, for a superuser). PostgreSQL
   * requires them to set the role's default privileges and to reassign what it owns.
   */
  adminActsAs: boolean;
}

/** What is known of the role's stored password, given the password the operator intends. */
export interface ObservedPassword {
  /** true/false when it could be checked (pg_authid, or a login attempt); undefined when it could not. */
  matches: boolean | undefined;
  /** The stored hash type, when pg_authid is readable. */
  encryption: PasswordEncryption | undefined;
}

export interface ObservedGroup {
  exists: boolean;
  comment: string | null;
  /** Privileges on the database, schema public, its tables and sequences, and the owner's defaults. */
  privilegesComplete: boolean;
}

export interface ObservedDatabase {
  name: string;
  owner: string;
  groups: Record<Access, ObservedGroup>;
}

export interface ObservedServer {
  /** The connection's own role: never managed. */
  adminUsername: string;
  adminIsSuperuser: boolean;
}
