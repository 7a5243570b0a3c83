import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { scramSha256Verifier } from '../../../src/postgres/password-hash.js';
import type { PostgresEndpoint } from '../../harness/postgres-server.js';

/** A superuser's view of the run's PostgreSQL, and logins as the users the operator creates. */
export class PgTestClient {
  private readonly pools = new Map<string, pg.Pool>();

  constructor(readonly endpoint: PostgresEndpoint) {}

  /** A superuser pool on `database`. */
  admin(database = 'postgres'): pg.Pool {
    let pool = this.pools.get(database);
    if (!pool) {
      pool = new pg.Pool({
        host: this.endpoint.host,
        port: this.endpoint.port,
        user: this.endpoint.superuser,
        password: this.endpoint.password,
        database,
        max: 3,
      });
      pool.on('error', () => undefined);
      this.pools.set(database, pool);
    }
    return pool;
  }

  adminUri(database: string): string {
    const { superuser, password, host, port } = this.endpoint;
    return `postgresql://${superuser}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  }

  /** A database owned by a login role of its own (the "database owner" of the provider's model). */
  async createDatabaseWithOwner(name: string): Promise<{ database: string; owner: string; ownerPassword: string }> {
    const owner = `${name}_owner`;
    const ownerPassword = randomBytes(18).toString('base64url');
    await this.admin().query(`CREATE ROLE ${pg.escapeIdentifier(owner)} LOGIN PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(ownerPassword))}`);
    await this.admin().query(`CREATE DATABASE ${pg.escapeIdentifier(name)} OWNER ${pg.escapeIdentifier(owner)}`);
    return { database: name, owner, ownerPassword };
  }

  uriFor(user: string, password: string, database: string): string {
    return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${this.endpoint.host}:${this.endpoint.port}/${encodeURIComponent(database)}`;
  }

  /** Runs statements as whoever `uri` names; rejects with PostgreSQL's error. */
  async queryAs(uri: string, ...statements: string[]): Promise<pg.QueryResult[]> {
    const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const results: pg.QueryResult[] = [];
      for (const statement of statements) results.push(await client.query(statement));
      return results;
    } finally {
      await client.end();
    }
  }

  /** The SQLSTATE a statement fails with, as whoever `uri` names; undefined when it succeeds. */
  async sqlstateOf(uri: string, statement: string): Promise<string | undefined> {
    try {
      await this.queryAs(uri, statement);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  }

  async canLogin(uri: string): Promise<boolean> {
    try {
      const [result] = await this.queryAs(uri, 'SELECT current_user AS user');
      const row = result?.rows[0] as { user?: unknown } | undefined;
      return typeof row?.user === 'string';
    } catch (error) {
      if ((error as { code?: string }).code === '28P01') return false;
      throw error;
    }
  }

  async role(username: string): Promise<{ rolpassword: string | null; rolcanlogin: boolean; comment: string | null } | undefined> {
    const result = await this.admin().query<{ rolpassword: string | null; rolcanlogin: boolean; comment: string | null }>(
      "SELECT rolpassword, rolcanlogin, shobj_description(oid, 'pg_authid') AS comment FROM pg_authid WHERE rolname = $1",
      [username],
    );
    return result.rows[0];
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }
}

/** A username unique to this run, within the 6-32 character rule. */
export function uniqueUsername(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`.slice(0, 32);
}
