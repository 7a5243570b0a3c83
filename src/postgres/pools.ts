import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ConnectionSettings } from '../api/connection.js';
import type { Logger } from '../runtime/logger.js';
import { refusesStartupOptions, searchPathStartupOption } from './search-path.js';

export interface PoolOptions {
  /** Connections per pool: at least the number of workers that may use one server at once. */
  maxConnections: number;
  connectTimeoutMs: number;
  applicationName: string;
}

type SslConfig = false | { rejectUnauthorized: boolean; ca?: string };

/** libpq's sslmode mapped onto node-postgres. prefer (and no sslmode) tries TLS, then plaintext. */
function sslConfigs(settings: ConnectionSettings): SslConfig[] {
  const ca = settings.caCertificate === undefined ? {} : { ca: settings.caCertificate };
  switch (settings.sslMode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, { rejectUnauthorized: false }];
    case 'require':
      return [{ rejectUnauthorized: false }];
    case 'verify-ca':
    case 'verify-full':
      return [{ rejectUnauthorized: true, ...ca }];
    case 'prefer':
    case undefined:
      return [{ rejectUnauthorized: false }, false];
  }
}

interface Entry {
  pool: pg.Pool;
  lastUsed: number;
}

/**
 * One pg.Pool per server, credentials and database, reused by every reconcile. Pools whose
 * connection Secret changed (new credentials, new key) go idle and are ended by `sweep`. Every
 * admin session starts with its search_path pinned (ADR 19); a server that refuses the startup
 * option (a pooler) is remembered and reached without it, where the per-transaction pin and the
 * schema-qualified SQL still hold.
 */
export class PostgresPools {
  private readonly pools = new Map<string, Entry>();
  /** Which SSL setting worked for a server, once known (for prefer/allow). */
  private readonly sslChoice = new Map<string, SslConfig>();
  /** Servers that refused the search_path startup option. */
  private readonly unpinnedServers = new Set<string>();

  constructor(
    private readonly options: PoolOptions,
    private readonly logger: Logger,
  ) {}

  private serverKey(settings: ConnectionSettings): string {
    const { host, port, username, sslMode } = settings;
    const secrets = createHash('sha256')
      .update(settings.password)
      .update('\0')
      .update(settings.caCertificate ?? '')
      .digest('hex');
    return JSON.stringify([host, port, username, sslMode ?? null, secrets]);
  }

  /** The startup options for a server: the pinned search_path, unless it refused that before. */
  private startupOptions(server: string): { options?: string } {
    return this.unpinnedServers.has(server) ? {} : { options: searchPathStartupOption };
  }

  /**
   * Runs `attempt` with the pin; when the server refuses the startup option, once more without it
   * (remembered for the server). Any other failure is the caller's.
   */
  private async pinnedOrNot<T>(settings: ConnectionSettings, database: string, attempt: (server: string) => Promise<T>): Promise<T> {
    const server = this.serverKey(settings);
    try {
      return await attempt(server);
    } catch (error) {
      if (this.unpinnedServers.has(server) || !refusesStartupOptions(error)) throw error;
      this.unpinnedServers.add(server);
      this.logger.warn(
        { host: settings.host, database },
        'PostgreSQL (a pooler?) refuses the search_path startup option: connecting without it; every transaction still pins search_path and every query is schema-qualified',
      );
      return attempt(server);
    }
  }

  private create(settings: ConnectionSettings, database: string, ssl: SslConfig, server: string): pg.Pool {
    const pool = new pg.Pool({
      ...this.startupOptions(server),
      host: settings.host,
      port: settings.port,
      user: settings.username,
      password: settings.password,
      database,
      ssl,
      max: this.options.maxConnections,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      application_name: this.options.applicationName,
    });
    // A connection dying (server restart) emits 'error': on the pool while idle, on the client while
    // checked out between queries. Unhandled, either kills the process; the query in flight, if any,
    // fails on its own and the reconcile retries.
    pool.on('error', () => {
      // Re-emitted from the client, which logs it below.
    });
    pool.on('connect', (client) => {
      client.on('error', (error) => {
        this.logger.warn({ host: settings.host, database, err: error.message }, 'PostgreSQL connection failed');
      });
    });
    return pool;
  }

  /** A connected client for `database` on the server; release it when done. */
  async connect(settings: ConnectionSettings, database: string): Promise<pg.PoolClient> {
    return this.pinnedOrNot(settings, database, (server) => this.connectPooled(settings, database, server));
  }

  private async connectPooled(settings: ConnectionSettings, database: string, server: string): Promise<pg.PoolClient> {
    const known = this.sslChoice.get(server);
    const candidates = known === undefined ? sslConfigs(settings) : [known];
    const pinned = !this.unpinnedServers.has(server);
    let lastError: unknown;
    for (const ssl of candidates) {
      const key = `${server}|${database}|${JSON.stringify(ssl)}|${pinned ? 'pinned' : 'unpinned'}`;
      let entry = this.pools.get(key);
      if (!entry) {
        entry = { pool: this.create(settings, database, ssl, server), lastUsed: Date.now() };
        this.pools.set(key, entry);
      }
      entry.lastUsed = Date.now();
      try {
        const client = await entry.pool.connect();
        this.sslChoice.set(server, ssl);
        return client;
      } catch (error) {
        lastError = error;
        const sslRefused = error instanceof Error && /does not support SSL/i.test(error.message);
        if (!sslRefused) throw error;
      }
    }
    throw lastError;
  }

  /** An unpooled client with the server's SSL setting, as `user`; `options` pin an admin session. */
  private standaloneClient(settings: ConnectionSettings, database: string, user: string, password: string, options: { options?: string } = {}): pg.Client {
    const client = new pg.Client({
      ...options,
      host: settings.host,
      port: settings.port,
      user,
      password,
      database,
      ssl: this.sslChoice.get(this.serverKey(settings)) ?? sslConfigs(settings)[0] ?? false,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      application_name: this.options.applicationName,
    });
    client.on('error', () => undefined);
    return client;
  }

  /**
   * An admin client of its own (not pooled), for a database visited once, e.g. to clear a dropped
   * role's objects: an idle pooled connection there would linger, and a lingering connection to a
   * database blocks CREATE DATABASE from it and DROP DATABASE. The caller ends it.
   */
  async connectOnce(settings: ConnectionSettings, database: string): Promise<pg.Client> {
    return this.pinnedOrNot(settings, database, async (server) => {
      const client = this.standaloneClient(settings, database, settings.username, settings.password, this.startupOptions(server));
      await client.connect();
      return client;
    });
  }

  /**
   * Whether `username` can log in to `database` with `password`: true, false (authentication
   * failed), or undefined when the attempt says nothing about the password (network, pg_hba, ...).
   */
  async verifyLogin(settings: ConnectionSettings, database: string, username: string, password: string): Promise<boolean | undefined> {
    const client = this.standaloneClient(settings, database, username, password);
    try {
      await client.connect();
      return true;
    } catch (error) {
      return (error as { code?: string }).code === '28P01' ? false : undefined;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Ends the pools of one database (before it is dropped: an idle connection to it would linger). */
  async closeDatabase(settings: ConnectionSettings, database: string): Promise<void> {
    const prefix = `${this.serverKey(settings)}|${database}|`;
    const closing = [...this.pools].filter(([key]) => key.startsWith(prefix));
    for (const [key] of closing) this.pools.delete(key);
    await Promise.all(closing.map(([, entry]) => entry.pool.end().catch(() => undefined)));
  }

  /** Ends pools unused for `idleMs` (credentials rotated, databases no longer used). */
  async sweep(idleMs: number): Promise<void> {
    const cutoff = Date.now() - idleMs;
    const stale = [...this.pools].filter(([, entry]) => entry.lastUsed < cutoff);
    for (const [key] of stale) this.pools.delete(key);
    await Promise.all(stale.map(([, entry]) => entry.pool.end().catch(() => undefined)));
  }

  async end(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(entries.map((entry) => entry.pool.end().catch(() => undefined)));
  }
}
