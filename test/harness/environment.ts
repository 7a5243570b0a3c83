import path from 'node:path';
import { ControlPlane, type ClusterAccess } from './control-plane.js';
import { PostgresServer, type PostgresMajor } from './postgres-server.js';
import { createRunDirectory, removeRunDirectory } from './run-directory.js';

export interface EnvironmentOptions {
  postgresMajor?: PostgresMajor;
  postgresSettings?: Record<string, string>;
  /** Use this existing cluster (kind, k3d, a real one) instead of starting a local control plane. */
  externalKubeconfig?: string | undefined;
  log?: (line: string) => void;
}

/** A cluster and one PostgreSQL in one run directory: what tests and `npm run local` share. */
export class LocalEnvironment {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly controlPlane: ControlPlane | undefined,
    readonly cluster: ClusterAccess,
    readonly postgres: PostgresServer,
  ) {}

  static async start(options: EnvironmentOptions = {}): Promise<LocalEnvironment> {
    const dir = createRunDirectory();
    const external = options.externalKubeconfig;
    const results = await Promise.allSettled([
      external ? Promise.resolve(undefined) : ControlPlane.start({ dir: path.join(dir, 'control-plane'), ...(options.log ? { log: options.log } : {}) }),
      PostgresServer.start({
        dir: path.join(dir, 'postgres'),
        ...(options.postgresMajor ? { major: options.postgresMajor } : {}),
        ...(options.postgresSettings ? { settings: options.postgresSettings } : {}),
      }),
    ]);
    const [controlPlane, postgres] = results;
    if (controlPlane.status === 'fulfilled' && postgres.status === 'fulfilled') {
      const cluster: ClusterAccess = controlPlane.value?.access ?? {
        kubeconfigPath: external ?? '',
        kubectl: process.env.KUBECTL_BIN ?? 'kubectl',
        auditLogFile: undefined,
      };
      return new LocalEnvironment(dir, controlPlane.value, cluster, postgres.value);
    }
    // Whatever did start must not outlive the failure.
    const started = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    await Promise.all(started.map((server) => server.stop()));
    removeRunDirectory(dir);
    const failure: unknown = results.find((r) => r.status === 'rejected')?.reason;
    throw failure instanceof Error ? failure : new Error(String(failure));
  }

  /** A short description for logs: which Kubernetes and which PostgreSQL. */
  describe(): string {
    const kubernetes = this.controlPlane ? `kube-apiserver ${this.controlPlane.kubernetesVersion}` : `the cluster of ${this.cluster.kubeconfigPath}`;
    return `${kubernetes} + PostgreSQL ${this.postgres.major}`;
  }

  /** Stops every server and removes the run directory; safe to call more than once. */
  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([this.controlPlane?.stop(), this.postgres.stop()]);
      removeRunDirectory(this.dir);
    })();
    return this.stopping;
  }
}
