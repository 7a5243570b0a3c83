import pg from 'pg';

// The SQL of a Database's objects; functions and operators qualified with pg_catalog (ADR 19: a
// tenant's objects in schema public never shadow what the operator calls). DDL takes no bind parameters: escaped instead.
const id = (identifier: string): string => pg.escapeIdentifier(identifier);
const literal = (value: string): string => pg.escapeLiteral(value);

export const observeDatabase = `
  SELECT pg_catalog.pg_get_userbyid(d.datdba) AS owner,
         pg_catalog.shobj_description(d.oid, 'pg_database') AS comment,
         pg_catalog.has_database_privilege('public', d.oid, 'CONNECT') AS "publicCanConnect"
    FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) $1`;

export const observeOwnerRole = `
  SELECT pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
         pg_catalog.pg_has_role(CURRENT_USER, r.oid, 'MEMBER') AS "adminHoldsIt"
    FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $1`;

export const observeAdmin = `
  SELECT CURRENT_USER AS admin, r.rolsuper AS superuser FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER`;

export const serverVersion = "SELECT pg_catalog.current_setting('server_version') AS version";

export function createOwnerRole(owner: string): string {
  return `CREATE ROLE ${id(owner)} NOLOGIN NOINHERIT`;
}

export function commentOnRole(role: string, comment: string): string {
  return `COMMENT ON ROLE ${id(role)} IS ${literal(comment)}`;
}

export function holdRole(role: string): string {
  return `GRANT ${id(role)} TO CURRENT_USER`;
}

export function createDatabase(name: string, owner: string): string {
  return `CREATE DATABASE ${id(name)} OWNER ${id(owner)}`;
}

export function setDatabaseOwner(name: string, owner: string): string {
  return `ALTER DATABASE ${id(name)} OWNER TO ${id(owner)}`;
}

export function commentOnDatabase(name: string, comment: string): string {
  return `COMMENT ON DATABASE ${id(name)} IS ${literal(comment)}`;
}

/** PUBLIC has CONNECT and TEMPORARY on every new database: a tenant's database is closed to other tenants' roles. */
export function revokePublicAccess(name: string): string {
  return `REVOKE ALL ON DATABASE ${id(name)} FROM PUBLIC`;
}

/** FORCE ends the sessions in it (PostgreSQL 13+): deletionPolicy Delete asked for the database to go. */
export function dropDatabase(name: string): string {
  return `DROP DATABASE IF EXISTS ${id(name)} WITH (FORCE)`;
}

export function dropRole(role: string): string {
  return `DROP ROLE IF EXISTS ${id(role)}`;
}

export function sessionTimeouts(lockTimeoutMs: number, statementTimeoutMs: number): string {
  return `SET lock_timeout = ${Math.trunc(lockTimeoutMs)}; SET statement_timeout = ${Math.trunc(statementTimeoutMs)}`;
}

export const resetTimeouts = 'RESET lock_timeout; RESET statement_timeout';

export function advisoryLock(namespace: number, key: number): string {
  return `SELECT pg_catalog.pg_advisory_lock(${namespace}, ${key})`;
}

export function advisoryUnlock(namespace: number, key: number): string {
  return `SELECT pg_catalog.pg_advisory_unlock(${namespace}, ${key})`;
}
