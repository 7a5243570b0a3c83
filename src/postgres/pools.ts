import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ConnectionSettings } from '../api/connection.js';
import type { Logger } from '../runtime/logger.js';
import { refusesStartupOptions, searchPathStartupOption } from './search-path.js';
import { ConnectionBoundReached, ServerConnections } from './server-connections.js';

export interface PoolOptions {
  /** Connections to one server (host and port) at most, whatever the databases and credentials (ADR 24). */
  maxConnectionsPerServer: number;
  /** How long a request waits for a free connection before it fails with ConnectionBoundReached. */
  connectionWaitMs: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  applicationName: string;
  /** A server ("host:port") the operator has not had an entry for (again, after its connections all closed), for the metrics. */
  onServer?: (server: string) => void;
  /** Waits for a slot, per server, for the metrics. */
  onWait?: (server: string) => void;
  onWaitTimeout?: (server: string) => void;
}

/** One server's connections, for the metrics. */
export interface ServerConnectionCounts {
  server: string;
  open: number;
  idle: number;
  waiting: number;
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

function sslRefused(error: unknown): boolean {
  return error instanceof Error && /does not support SSL/i.test(error.message);
}

/**
 * The operator's connections to PostgreSQL, bounded per server (host and port) whatever the number
 * of databases and credentials (ADR 24): connections to a database are opened when a reconcile
 * needs one, kept idle for the next, and closed after the idle timeout or to make room for another
 * database's. A request that takes a connection while holding one names it (`within`), so nested
 * requests are admitted ahead of new reconciles and never deadlock on the bound. Every admin
 * session starts with its search_path pinned (ADR 19); a server that refuses the startup option (a
 * pooler) is remembered and reached without it, where the per-transaction pin and the
 * schema-qualified SQL still hold.
 */
export class PostgresPools {
  private readonly servers = new Map<string, ServerConnections<pg.Client>>();
  /** Which SSL setting worked for a server and credentials, once known (for prefer/allow). */
  private readonly sslChoice = new Map<string, SslConfig>();
  /** Servers and credentials that refused the search_path startup option. */
  private readonly unpinnedServers = new Set<string>();

  constructor(
    private readonly options: PoolOptions,
    private readonly logger: Logger,
  ) {}

  /** The server and credentials: connections of the same key are interchangeable within one database. */
  private credentialsKey(settings: ConnectionSettings): string {
    const { host, port, username, sslMode } = settings;
    const secrets = createHash('sha256')
      .update(settings.password)
      .update('\0')
      .update(settings.caCertificate ?? '')
      .digest('hex');
    return JSON.stringify([host, port, username, sslMode ?? null, secrets]);
  }

  /** The bound's unit: one PostgreSQL server, by host and port. */
  private serverOf(settings: ConnectionSettings): ServerConnections<pg.Client> {
    const name = `${settings.host}:${settings.port}`;
    let server = this.servers.get(name);
    if (!server) {
      server = new ServerConnections<pg.Client>(
        name,
        { bound: this.options.maxConnectionsPerServer, waitMs: this.options.connectionWaitMs, idleMs: this.options.idleTimeoutMs },
        { onWait: () => this.options.onWait?.(name), onWaitTimeout: () => this.options.onWaitTimeout?.(name) },
      );
      this.servers.set(name, server);
      this.options.onServer?.(name);
    }
    return server;
  }

  /** The nesting level of a request made while holding `within` (connection-bound.ts). */
  private levelWithin(server: ServerConnections<pg.Client>, within: pg.ClientBase | undefined): number {
    return (within === undefined ? 0 : (server.levelOf(within) ?? 0)) + 1;
  }

  /** The startup options for a server: the pinned search_path, unless it refused that before. */
  private startupOptions(credentials: string): { options?: string } {
    return this.unpinnedServers.has(credentials) ? {} : { options: searchPathStartupOption };
  }

  /**
   * Runs `attempt` with the pin; when the server refuses the startup option, once more without it
   * (remembered for the server). Any other failure is the caller's.
   */
  private async pinnedOrNot<T>(settings: ConnectionSettings, database: string, attempt: (credentials: string) => Promise<T>): Promise<T> {
    const credentials = this.credentialsKey(settings);
    try {
      return await attempt(credentials);
    } catch (error) {
      if (this.unpinnedServers.has(credentials) || !refusesStartupOptions(error)) throw error;
      this.unpinnedServers.add(credentials);
      this.logger.warn(
        { host: settings.host, database },
        'PostgreSQL (a pooler?) refuses the search_path startup option: connecting without it; every transaction still pins search_path and every query is schema-qualified',
      );
      return attempt(credentials);
    }
  }

  /** A new connection as `user`, trying the SSL settings in order while the server refuses SSL. */
  private async open(
    settings: ConnectionSettings,
    database: string,
    login: { user: string; password: string; startup: { options?: string } },
    ssls: readonly SslConfig[],
    onIdleError: (client: pg.Client) => void,
  ): Promise<{ client: pg.Client; ssl: SslConfig }> {
    let lastError: unknown = new Error('no SSL setting to try');
    for (const ssl of ssls) {
      const client = new pg.Client({
        ...login.startup,
        host: settings.host,
        port: settings.port,
        user: login.user,
        password: login.password,
        database,
        ssl,
        connectionTimeoutMillis: this.options.connectTimeoutMs,
        application_name: this.options.applicationName,
      });
      // A connection dying (server restart) emits 'error'; unhandled, it kills the process. The query
      // in flight, if any, fails on its own and the reconcile retries; an idle one is dropped.
      client.on('error', (error) => {
        this.logger.warn({ host: settings.host, database, err: error.message }, 'PostgreSQL connection failed');
        onIdleError(client);
      });
      try {
        await client.connect();
        return { client, ssl };
      } catch (error) {
        lastError = error;
        if (!sslRefused(error)) throw error;
      }
    }
    throw lastError;
  }

  /** An admin connection to `database`, counted against the server's bound. */
  private async acquireAdmin(settings: ConnectionSettings, database: string, within: pg.ClientBase | undefined, reuse: boolean): Promise<pg.PoolClient> {
    const server = this.serverOf(settings);
    const level = this.levelWithin(server, within);
    return this.pinnedOrNot(settings, database, async (credentials) => {
      const startup = this.startupOptions(credentials);
      const known = this.sslChoice.get(credentials);
      const client = await server.acquire({
        key: JSON.stringify([credentials, database, startup.options ?? null]),
        database,
        level,
        reuse,
        connect: async () => {
          const opened = await this.open(
            settings,
            database,
            { user: settings.username, password: settings.password, startup },
            known === undefined ? sslConfigs(settings) : [known],
            (broken) => {
              server.forgetBroken(broken);
            },
          );
          this.sslChoice.set(credentials, opened.ssl);
          const pooled = opened.client as pg.Client & Partial<Pick<pg.PoolClient, 'release'>>;
          pooled.release = (error?: Error | boolean) => {
            server.release(opened.client, error !== undefined && error !== false);
          };
          return opened.client;
        },
      });
      return client as pg.PoolClient;
    });
  }

  /**
   * A connected admin client for `database` on the server; release it when done (release(error)
   * closes it). `within`: the connection to the same server the caller holds while asking.
   */
  async connect(settings: ConnectionSettings, database: string, within?: pg.ClientBase): Promise<pg.PoolClient> {
    return this.acquireAdmin(settings, database, within, true);
  }

  /**
   * An admin connection of its own, closed when released, for a database visited once, e.g. to clear
   * a dropped role's objects: an idle connection there would linger, and a lingering connection to a
   * database blocks CREATE DATABASE from it and DROP DATABASE. It counts against the bound.
   */
  async connectOnce(settings: ConnectionSettings, database: string, within?: pg.ClientBase): Promise<pg.PoolClient> {
    return this.acquireAdmin(settings, database, within, false);
  }

  /**
   * Whether `username` can log in to `database` with `password`: true, false (authentication
   * failed), or undefined when the attempt says nothing about the password (network, pg_hba, ...);
   * ConnectionBoundReached when no slot became free. The login is a connection to the server like any other: it counts against
   * the bound, for the moment it lasts.
   */
  async verifyLogin(settings: ConnectionSettings, database: string, username: string, password: string, within?: pg.ClientBase): Promise<boolean | undefined> {
    const server = this.serverOf(settings);
    const known = this.sslChoice.get(this.credentialsKey(settings)) ?? sslConfigs(settings)[0] ?? false;
    let client: pg.Client;
    try {
      client = await server.acquire({
        key: 'login',
        database,
        level: this.levelWithin(server, within),
        reuse: false,
        connect: async () => (await this.open(settings, database, { user: username, password, startup: {} }, [known], () => undefined)).client,
      });
    } catch (error) {
      // No slot within the wait: the reconcile is retried rather than left unverified.
      if (error instanceof ConnectionBoundReached) throw error;
      return (error as { code?: string }).code === '28P01' ? false : undefined;
    }
    server.release(client, true);
    return true;
  }

  /** Closes the connections to one database (before it is dropped: an idle connection to it would linger). */
  async closeDatabase(settings: ConnectionSettings, database: string): Promise<void> {
    await this.servers.get(`${settings.host}:${settings.port}`)?.closeDatabase(database);
  }

  /** Forgets servers with nothing open and nobody waiting (idle connections close by themselves). */
  sweep(): void {
    for (const [name, server] of this.servers) if (server.unused) this.servers.delete(name);
  }

  /** Per server: connections open, of which idle, and requests waiting for one. */
  *connectionCounts(): Iterable<ServerConnectionCounts> {
    for (const [server, connections] of this.servers) {
      yield { server, open: connections.open, idle: connections.idleCount, waiting: connections.waiting };
    }
  }

  async end(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((server) => server.end()));
  }
}
