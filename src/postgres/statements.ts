import pg from 'pg';
import type { Access } from '../model/group-roles.js';
import type { RoleAttributes } from '../model/observed.js';
import { eq, ne, setLocalSearchPath } from './search-path.js';

// DDL takes no bind parameters: every identifier and literal goes through pg's escaping.
const id = (identifier: string): string => pg.escapeIdentifier(identifier);
const literal = (value: string): string => pg.escapeLiteral(value);
const publicSchema = id('public');

/** A verifier is never empty: escapeLiteral(undefined) is '' and PASSWORD '' silently stores none. */
function verifierLiteral(verifier: string): string {
  if (!/^(SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+|md5[0-9a-f]{32})$/.test(verifier)) {
    throw new Error('refusing to send a password that is not a SCRAM-SHA-256 or MD5 verifier');
  }
  return literal(verifier);
}

export function createRole(username: string, verifier: string): string {
  return `CREATE ROLE ${id(username)} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${verifierLiteral(verifier)}`;
}

export function setPassword(username: string, verifier: string): string {
  return `ALTER ROLE ${id(username)} WITH PASSWORD ${verifierLiteral(verifier)}`;
}

export function commentOnRole(role: string, comment: string): string {
  return `COMMENT ON ROLE ${id(role)} IS ${literal(comment)}`;
}

const attributeKeywords: Record<Exclude<keyof RoleAttributes, 'validUntil' | 'connectionLimit'>, [string, string]> = {
  login: ['LOGIN', 'NOLOGIN'],
  inherit: ['INHERIT', 'NOINHERIT'],
  superuser: ['SUPERUSER', 'NOSUPERUSER'],
  createDb: ['CREATEDB', 'NOCREATEDB'],
  createRole: ['CREATEROLE', 'NOCREATEROLE'],
  replication: ['REPLICATION', 'NOREPLICATION'],
  bypassRls: ['BYPASSRLS', 'NOBYPASSRLS'],
};

/**
 * Only the attributes that change: a non-superuser admin may not even repeat NOSUPERUSER.
 */
export function alterAttributes(username: string, changes: Partial<RoleAttributes>): string {
  const clauses: string[] = [];
  for (const [key, [on, off]] of Object.entries(attributeKeywords) as [keyof typeof attributeKeywords, [string, string]][]) {
    const value = changes[key];
    if (value !== undefined) clauses.push(value ? on : off);
  }
  if ('validUntil' in changes) clauses.push(`VALID UNTIL ${literal(changes.validUntil ?? 'infinity')}`);
  if (changes.connectionLimit !== undefined) {
    if (!Number.isSafeInteger(changes.connectionLimit) || changes.connectionLimit < -1) throw new Error('connection limit must be an integer >= -1');
    clauses.push(`CONNECTION LIMIT ${changes.connectionLimit}`);
  }
  return `ALTER ROLE ${id(username)} WITH ${clauses.join(' ')}`;
}

export function grantMembership(group: string, username: string): string {
  return `GRANT ${id(group)} TO ${id(username)}`;
}

/** Membership of the connection's role in `username`; PostgreSQL 16+ needs ADMIN OPTION on it. */
export function grantRoleToAdmin(username: string): string {
  return `GRANT ${id(username)} TO CURRENT_USER`;
}

export function revokeMembership(group: string, username: string): string {
  return `REVOKE ${id(group)} FROM ${id(username)}`;
}

/** Objects `creator` makes later in schema public become usable by both groups. */
export function grantDefaultPrivileges(creator: string, readwriteGroup: string, readonlyGroup: string): string[] {
  const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(creator)} IN SCHEMA ${publicSchema}`;
  return [
    `${prefix} GRANT ALL ON TABLES TO ${id(readwriteGroup)}`,
    `${prefix} GRANT ALL ON SEQUENCES TO ${id(readwriteGroup)}`,
    `${prefix} GRANT SELECT ON TABLES TO ${id(readonlyGroup)}`,
    `${prefix} GRANT SELECT ON SEQUENCES TO ${id(readonlyGroup)}`,
  ];
}

export function revokeDefaultPrivileges(creator: string, readwriteGroup: string, readonlyGroup: string): string[] {
  const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(creator)} IN SCHEMA ${publicSchema}`;
  return [readwriteGroup, readonlyGroup].flatMap((group) => [
    `${prefix} REVOKE ALL ON TABLES FROM ${id(group)}`,
    `${prefix} REVOKE ALL ON SEQUENCES FROM ${id(group)}`,
  ]);
}

export function createGroup(group: string): string {
  return `CREATE ROLE ${id(group)} WITH NOLOGIN NOINHERIT`;
}

/**
 * The privileges a group holds in its database. Read-only: CONNECT, USAGE on public, SELECT on
 * tables and sequences, now and (for objects the database owner creates) in future. Read-write: the
 * provider's default-user set: ALL on the database, USAGE and CREATE on public, ALL on tables and
 * sequences, now and in future.
 */
export function grantGroupPrivileges(access: Access, group: string, database: string, databaseOwner: string): string[] {
  const g = id(group);
  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${id(databaseOwner)} IN SCHEMA ${publicSchema}`;
  if (access === 'readonly') {
    return [
      `GRANT CONNECT ON DATABASE ${id(database)} TO ${g}`,
      `GRANT USAGE ON SCHEMA ${publicSchema} TO ${g}`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA ${publicSchema} TO ${g}`,
      `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${publicSchema} TO ${g}`,
      `${defaults} GRANT SELECT ON TABLES TO ${g}`,
      `${defaults} GRANT SELECT ON SEQUENCES TO ${g}`,
    ];
  }
  return [
    `GRANT ALL ON DATABASE ${id(database)} TO ${g}`,
    `GRANT USAGE, CREATE ON SCHEMA ${publicSchema} TO ${g}`,
    `GRANT ALL ON ALL TABLES IN SCHEMA ${publicSchema} TO ${g}`,
    `GRANT ALL ON ALL SEQUENCES IN SCHEMA ${publicSchema} TO ${g}`,
    `${defaults} GRANT ALL ON TABLES TO ${g}`,
    `${defaults} GRANT ALL ON SEQUENCES TO ${g}`,
  ];
}

export function reassignOwned(username: string, to: string): string {
  return `REASSIGN OWNED BY ${id(username)} TO ${id(to)}`;
}

/**
 * Databases where the role ($1) owns objects or holds privileges, and which the admin may connect
 * to, plus its own database ($2), where DROP OWNED also clears privileges on shared objects.
 * Every name is schema-qualified (ADR 19).
 */
export const databasesWithDependentsOf = `SELECT d.datname AS name FROM pg_catalog.pg_database d
  WHERE d.datallowconn AND NOT d.datistemplate AND pg_catalog.has_database_privilege(d.oid, 'CONNECT')
    AND (d.datname ${eq} $2 OR EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend s WHERE s.dbid ${eq} d.oid
                                      AND s.refclassid ${eq} 'pg_catalog.pg_authid'::pg_catalog.regclass
                                      AND s.refobjid ${eq} (SELECT oid FROM pg_catalog.pg_roles WHERE rolname ${eq} $1)))
  ORDER BY d.datname`;

/**
 * SQL that is true when the role with OID `roleOid` (an SQL expression) owns objects in the current
 * database. Default privileges are recorded as owned too, but REASSIGN never moves them: not counted.
 */
export function ownsObjectsHere(roleOid: string): string {
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend s
                   WHERE s.refclassid ${eq} 'pg_catalog.pg_authid'::pg_catalog.regclass AND s.refobjid ${eq} ${roleOid} AND s.deptype ${eq} 'o'
                     AND s.classid ${ne} 'pg_catalog.pg_default_acl'::pg_catalog.regclass
                     AND s.dbid ${eq} (SELECT oid FROM pg_catalog.pg_database WHERE datname ${eq} pg_catalog.current_database()))`;
}

/** Whether the role named $1 owns objects in the current database. */
export const ownsObjectsInCurrentDatabase = `SELECT ${ownsObjectsHere(`(SELECT oid FROM pg_catalog.pg_roles WHERE rolname ${eq} $1)`)} AS owns`;

/**
 * Who receives the objects of the role ($1) being dropped: the current database's owner, unless that
 * is the role itself or a role the admin may not act as (REASSIGN needs its privileges); then the admin.
 */
export const heirInCurrentDatabase = `SELECT CASE WHEN o.rolname ${ne} $1 AND pg_catalog.pg_has_role(current_user, o.oid, 'USAGE') THEN o.rolname ELSE current_user::pg_catalog.text END AS heir
  FROM pg_catalog.pg_database d JOIN pg_catalog.pg_roles o ON o.oid ${eq} d.datdba WHERE d.datname ${eq} pg_catalog.current_database()`;

export function dropOwned(username: string): string {
  return `DROP OWNED BY ${id(username)}`;
}

export function dropRole(username: string): string {
  return `DROP ROLE ${id(username)}`;
}

/**
 * The settings every transaction starts with: the pinned search_path (ADR 19; again, for a pooler
 * that dropped the startup option), and bounded waits, so a reconcile never queues forever behind an
 * application's locks.
 */
export function transactionSettings(lockTimeoutMs: number, statementTimeoutMs: number): string[] {
  return [setLocalSearchPath, `SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`, `SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`];
}

export const begin = 'BEGIN';

/** Inlined (two validated integers) so it can share a round trip with BEGIN. */
export function advisoryXactLock(namespace: number, key: number): string {
  if (!Number.isInteger(namespace) || !Number.isInteger(key)) throw new Error('advisory lock keys must be integers');
  return `SELECT pg_catalog.pg_advisory_xact_lock(${namespace}, ${key})`;
}
