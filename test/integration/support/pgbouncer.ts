import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findFreePort } from '../../harness/free-port.js';
import { unprivilegedUser, type PostgresEndpoint } from '../../harness/postgres-server.js';
import { SupervisedProcess } from '../../harness/supervised-process.js';
import { waitFor } from '../../harness/wait.js';

/** Debian's pgbouncer (tools/system-packages.sh). */
const binary = '/usr/sbin/pgbouncer';

/**
 * A real PgBouncer in transaction mode in front of the run's PostgreSQL, as managed providers offer
 * on their pooled port. Every server connection is reset with DEALLOCATE ALL after each transaction:
 * a named statement never outlives the transaction that prepared it, exactly what a client meets when
 * the pooler gives its next transaction another server connection (PgBouncer before 1.21), but every time.
 */
export class PgBouncer {
  private constructor(
    private readonly process: SupervisedProcess,
    readonly port: number,
  ) {}

  /**
   * `ignoreStartupParameters`: what it accepts from clients and drops (default: what node-postgres
   * and the operator send, so `options` is accepted and silently not applied). Without `options`
   * there, it refuses a client that sends it, as PgBouncer does by default.
   */
  static async start(
    dir: string,
    upstream: PostgresEndpoint,
    ignoreStartupParameters: readonly string[] = ['extra_float_digits', 'options'],
  ): Promise<PgBouncer> {
    mkdirSync(dir, { recursive: true });
    const port = await findFreePort();
    const usersFile = path.join(dir, 'users.txt');
    const configFile = path.join(dir, 'pgbouncer.ini');
    writeFileSync(usersFile, `"${upstream.superuser}" "${upstream.password}"\n`, { mode: 0o600 });
    writeFileSync(
      configFile,
      [
        '[databases]',
        `* = host=${upstream.host} port=${String(upstream.port)}`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${String(port)}`,
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${usersFile}`,
        'pool_mode = transaction',
        'default_pool_size = 4',
        'server_reset_query = DEALLOCATE ALL',
        'server_reset_query_always = 1',
        `ignore_startup_parameters = ${ignoreStartupParameters.join(',')}`,
        '',
      ].join('\n'),
    );
    const runAs = unprivilegedUser();
    if (runAs) for (const file of [dir, usersFile, configFile]) chownSync(file, runAs.uid, runAs.gid);
    const process = SupervisedProcess.start({
      name: 'pgbouncer',
      command: binary,
      args: [configFile],
      logFile: path.join(dir, 'pgbouncer.log'),
      stopSignal: 'SIGINT',
      ...(runAs ? { runAs } : {}),
    });
    const bouncer = new PgBouncer(process, port);
    await waitFor(
      'pgbouncer to listen',
      () =>
        new Promise<true | undefined>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => {
            resolve(undefined);
          });
        }),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    return bouncer;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
