import pg from 'pg';
import { groupRoleName, type Access } from '../model/group-roles.js';
import type { Completeness, ObservedDatabase, ObservedGroup, ObservedRole, ObservedServer } from '../model/observed.js';
import { eq } from './search-path.js';
import { ownsObjectsHere } from './statements.js';

type Client = pg.ClientBase;

// Every function, operator, relation and type below is schema-qualified: a tenant's objects in
// public must never be a better match than pg_catalog's (ADR 19).
const publicNamespace = `(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname ${eq} 'public')`;

export async function observeServer(client: Client): Promise<ObservedServer> {
  const result = await client.query<{ admin: string; superuser: boolean }>(
    `SELECT current_user AS admin, r.rolsuper AS superuser FROM pg_catalog.pg_roles r WHERE r.rolname ${eq} current_user`,
  );
  const row = result.rows[0];
  if (!row) throw new Error('could not read the connection role');
  return { adminUsername: row.admin, adminIsSuperuser: row.superuser };
}

interface DefaultAclRow {
  creator: string;
  objtype: string;
  grantee: string;
  privilege: string;
}

async function readDefaultAcl(client: Client, creators: string[]): Promise<DefaultAclRow[]> {
  const result = await client.query<DefaultAclRow>(
    `SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS creator, d.defaclobjtype::pg_catalog.text AS objtype,
            pg_catalog.pg_get_userbyid(a.grantee) AS grantee, a.privilege_type AS privilege
       FROM pg_catalog.pg_default_acl d CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
      WHERE d.defaclnamespace ${eq} ${publicNamespace}
        AND d.defaclrole ${eq} ANY (ARRAY(SELECT oid FROM pg_catalog.pg_roles WHERE rolname ${eq} ANY ($1)))`,
    [creators],
  );
  return result.rows;
}

const tablePrivileges: Record<Access, string[]> = {
  readonly: ['SELECT'],
  readwrite: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
};
const sequencePrivileges: Record<Access, string[]> = { readonly: ['SELECT'], readwrite: ['USAGE', 'SELECT', 'UPDATE'] };

/** Whether `creator`'s default privileges give `group` everything its access needs (r: tables, S: sequences). */
function defaultsComplete(rows: DefaultAclRow[], creator: string, group: string, access: Access): boolean {
  const held = (objtype: string): Set<string> =>
    new Set(rows.filter((row) => row.creator === creator && row.grantee === group && row.objtype === objtype).map((row) => row.privilege));
  const tables = held('r');
  const sequences = held('S');
  return tablePrivileges[access].every((p) => tables.has(p)) && sequencePrivileges[access].every((p) => sequences.has(p));
}

/** SQL that is true when `$1` (a group) holds all of `access`'s privileges on existing objects. */
function objectPrivilegesSql(access: Access): string {
  const database =
    access === 'readonly'
      ? ["pg_catalog.has_database_privilege($1, pg_catalog.current_database(), 'CONNECT')"]
      : ['CONNECT', 'CREATE', 'TEMPORARY'].map((p) => `pg_catalog.has_database_privilege($1, pg_catalog.current_database(), '${p}')`);
  const schema = (access === 'readonly' ? ['USAGE'] : ['USAGE', 'CREATE']).map((p) => `pg_catalog.has_schema_privilege($1, ${publicNamespace}, '${p}')`);
  const tables = tablePrivileges[access].map((p) => `pg_catalog.has_table_privilege($1, c.oid, '${p}')`).join(' AND ');
  const sequences = sequencePrivileges[access].map((p) => `pg_catalog.has_sequence_privilege($1, c.oid, '${p}')`).join(' AND ');
  return [
    ...database,
    ...schema,
    `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace ${eq} ${publicNamespace} AND c.relkind ${eq} ANY ('{r,p,v,m,f}'::pg_catalog."char"[]) AND NOT (${tables}))`,
    // CASE: SQL does not promise to test relkind first, and has_sequence_privilege fails on a table.
    `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace ${eq} ${publicNamespace} AND c.relkind ${eq} 'S' AND NOT (CASE WHEN c.relkind ${eq} 'S' THEN ${sequences} ELSE true END))`,
  ].join(' AND ');
}

/** The current database and its owner. */
async function observeDatabaseOwner(client: Client): Promise<{ name: string; owner: string }> {
  const db = await client.query<{ name: string; owner: string }>(
    `SELECT d.datname AS name, pg_catalog.pg_get_userbyid(d.datdba) AS owner FROM pg_catalog.pg_database d WHERE d.datname ${eq} pg_catalog.current_database()`,
  );
  const row = db.rows[0];
  if (!row) throw new Error('could not read the current database');
  return row;
}

/** The user's database: its owner and the state of its two group roles. Run while connected to it. */
export async function observeDatabase(client: Client): Promise<ObservedDatabase> {
  const row = await observeDatabaseOwner(client);
  const names: Record<Access, string> = { readonly: groupRoleName('readonly', row.name), readwrite: groupRoleName('readwrite', row.name) };
  const roles = await client.query<{ name: string; comment: string | null }>(
    `SELECT r.rolname AS name, pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment FROM pg_catalog.pg_roles r WHERE r.rolname ${eq} ANY ($1)`,
    [Object.values(names)],
  );
  const defaults = await readDefaultAcl(client, [row.owner]);
  const groups = {} as Record<Access, ObservedGroup>;
  for (const access of ['readonly', 'readwrite'] as Access[]) {
    const found = roles.rows.find((role) => role.name === names[access]);
    if (!found) {
      groups[access] = { exists: false, comment: null, privilegesComplete: false };
      continue;
    }
    const objects = await client.query<{ complete: boolean }>(`SELECT ${objectPrivilegesSql(access)} AS complete`, [names[access]]);
    groups[access] = {
      exists: true,
      comment: found.comment,
      privilegesComplete: objects.rows[0]?.complete === true && defaultsComplete(defaults, row.owner, names[access], access),
    };
  }
  return { name: row.name, owner: row.owner, groups };
}

interface RoleRow {
  superuser: boolean;
  inherit: boolean;
  createrole: boolean;
  createdb: boolean;
  login: boolean;
  replication: boolean;
  bypassrls: boolean;
  validuntil: string | null;
  connlimit: number;
  comment: string | null;
  member_of: string[];
  owns_objects: boolean;
  admin_acts_as: boolean;
  default_acl: [string, string, string][];
  rolpassword?: string | null;
}

export interface RoleObservation {
  role: ObservedRole;
  /** pg_authid.rolpassword when read (superuser admins); undefined when it was not read. */
  storedPassword: string | null | undefined;
}

/** The role query, reading pg_authid (with the password hash) or the pg_roles view. */
const roleQuery = (readPassword: boolean): string =>
  `SELECT r.rolsuper AS superuser, r.rolinherit AS inherit, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
          r.rolcanlogin AS login, r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
          CASE WHEN r.rolvaliduntil IS NULL OR r.rolvaliduntil ${eq} 'infinity' THEN NULL
               ELSE pg_catalog.to_char(r.rolvaliduntil AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END AS validuntil,
          r.rolconnlimit AS connlimit, pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
          ARRAY(SELECT g.rolname::pg_catalog.text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid ${eq} m.roleid WHERE m.member ${eq} r.oid) AS member_of,
          ${ownsObjectsHere('r.oid')} AS owns_objects,
          pg_catalog.pg_has_role(current_user, r.oid, 'USAGE') AS admin_acts_as,
          coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(d.defaclobjtype::pg_catalog.text, pg_catalog.pg_get_userbyid(a.grantee), a.privilege_type))
                      FROM pg_catalog.pg_default_acl d CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
                     WHERE d.defaclrole ${eq} r.oid AND d.defaclnamespace ${eq} ${publicNamespace}), '[]') AS default_acl
          ${readPassword ? ', r.rolpassword' : ''}
     FROM ${readPassword ? 'pg_catalog.pg_authid' : 'pg_catalog.pg_roles'} r WHERE r.rolname ${eq} $1`;
const roleQueries = { authid: roleQuery(true), roles: roleQuery(false) };

/**
 * The role as the planner needs it, in one query, or undefined when it does not exist. Run connected
 * to its database. With `readPassword` (superuser admins only) it reads pg_authid, which also holds
 * the password hash; otherwise the pg_roles view, which masks it. `prepared` false: as an unnamed
 * statement, for poolers that cannot keep a named one (PgBouncer in transaction mode before 1.21).
 */
export async function observeRole(
  client: Client,
  username: string,
  database: string,
  readPassword: boolean,
  prepared: boolean,
): Promise<RoleObservation | undefined> {
  const text = readPassword ? roleQueries.authid : roleQueries.roles;
  // A named statement is parsed and planned once per connection: PostgreSQL then spends ~0.1 ms of
  // CPU on it instead of ~0.6 ms, twice per change and once per idle reconcile (ADR 8).
  const name = readPassword ? 'dbuser_observe_role_authid' : 'dbuser_observe_role';
  const result = await client.query<RoleRow>(prepared ? { name, text, values: [username] } : { text, values: [username] });
  return roleFromRows(result.rows, username, database, readPassword);
}

/**
 * The role query as an SQL-level prepared statement: unlike a protocol-level one it can be run by
 * an EXECUTE inside a multi-statement query, so the look under the lock shares the round trip that
 * takes the lock (ADR 27). Each statement of such a query takes its own snapshot, so the EXECUTE
 * sees everything committed before the lock was granted. `name` is pg_catalog's type, as the
 * protocol-level statement infers it (the index on rolname is used the same way).
 */
export function roleStatement(readPassword: boolean): { name: string; prepare: string } {
  const name = readPassword ? 'dbuser_observe_role_sql_authid' : 'dbuser_observe_role_sql';
  return { name, prepare: `PREPARE ${name}(pg_catalog.name) AS ${readPassword ? roleQueries.authid : roleQueries.roles}` };
}

/** EXECUTE of the prepared role query for `username` (a literal: EXECUTE in a simple query takes no parameters). */
export function executeRoleStatement(readPassword: boolean, username: string): string {
  return `EXECUTE ${roleStatement(readPassword).name}(${pg.escapeLiteral(username)})`;
}

/** The role from the rows of the role query (either form), or undefined when it does not exist. */
export function roleFromRows(rows: readonly unknown[], username: string, database: string, readPassword: boolean): RoleObservation | undefined {
  const row = rows[0] as RoleRow | undefined;
  if (!row) return undefined;
  const readwrite = groupRoleName('readwrite', database);
  const readonly = groupRoleName('readonly', database);
  const defaults: DefaultAclRow[] = row.default_acl.map(([objtype, grantee, privilege]) => ({ creator: username, objtype, grantee, privilege }));
  let defaultPrivileges: Completeness = 'none';
  if (defaults.some((entry) => entry.grantee === readwrite || entry.grantee === readonly)) {
    defaultPrivileges =
      defaultsComplete(defaults, username, readwrite, 'readwrite') && defaultsComplete(defaults, username, readonly, 'readonly') ? 'complete' : 'partial';
  }
  return {
    role: {
      attributes: {
        login: row.login,
        inherit: row.inherit,
        superuser: row.superuser,
        createDb: row.createdb,
        createRole: row.createrole,
        replication: row.replication,
        bypassRls: row.bypassrls,
        validUntil: row.validuntil,
        connectionLimit: row.connlimit,
      },
      comment: row.comment,
      memberOf: row.member_of,
      defaultPrivileges,
      ownsObjects: row.owns_objects,
      adminActsAs: row.admin_acts_as,
    },
    storedPassword: readPassword ? (row.rolpassword ?? null) : undefined,
  };
}
