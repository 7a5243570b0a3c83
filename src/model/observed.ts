import type { Access } from './group-roles.js';
import type { PasswordEncryption } from './password-encryption.js';

/** Role attributes the operator keeps as it wants them. */
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
  /** CONNECTION LIMIT; -1 is unlimited. */
  connectionLimit: number;
}

/** How the role's default privileges look, relative to what the operator grants. */
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

/** What is known of the role's stored password, compared with one candidate password. */
export interface PasswordVerdict {
  /** true/false when it could be checked (pg_authid, or a login attempt); undefined when it could not. */
  matches: boolean | undefined;
  /** The stored hash type, when pg_authid is readable. */
  encryption: PasswordEncryption | undefined;
}

export const uncheckedPassword: PasswordVerdict = { matches: undefined, encryption: undefined };

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

/** Everything the planner needs to know about one role, read in one pass. */
export interface RoleObservation {
  server: ObservedServer;
  database: ObservedDatabase;
  role: ObservedRole | undefined;
  /** The stored password compared with the candidate the observation was asked about. */
  password: PasswordVerdict;
}
