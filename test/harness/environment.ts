import path from 'node:path';
import { ControlPlane } from './control-plane.js';
import { PostgresServer, type PostgresMajor } from './postgres-server.js';
import { createRunDirectory, removeRunDirectory } from './run-directory.js';

export interface EnvironmentOptions {
  postgresMajor?: PostgresMajor;
  postgresSettings?: Record<string, string>;
  log?: (line: string) => void;
}

/** One control plane and one PostgreSQL in one run directory: what tests and `npm run local` share. */
export class LocalEnvironment {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly controlPlane: ControlPlane,
    readonly postgres: PostgresServer,
  ) {}

  static async start(options: EnvironmentOptions = {}): Promise<LocalEnvironment> {
    const dir = createRunDirectory();
    const results = await Promise.allSettled([
      ControlPlane.start({ dir: path.join(dir, 'control-plane'), ...(options.log ? { log: options.log } : {}) }),
      PostgresServer.start({
        dir: path.join(dir, 'postgres'),
        ...(options.postgresMajor ? { major: options.postgresMajor } : {}),
        ...(options.postgresSettings ? { settings: options.postgresSettings } : {}),
      }),
    ]);
    const [controlPlane, postgres] = results;
    if (controlPlane.status === 'fulfilled' && postgres.status === 'fulfilled') {
      return new LocalEnvironment(dir, controlPlane.value, postgres.value);
    }
    // Whatever did start must not outlive the failure.
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await Promise.all(started.map((server) => server.stop()));
    removeRunDirectory(dir);
    const failure: unknown = results.find((r) => r.status === 'rejected')?.reason;
    throw failure instanceof Error ? failure : new Error(String(failure));
  }

  /** Stops every server and removes the run directory; safe to call more than once. */
  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([this.controlPlane.stop(), this.postgres.stop()]);
      removeRunDirectory(this.dir);
    })();
    return this.stopping;
  }
}
