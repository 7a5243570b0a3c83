import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './control-plane-binaries.js';
import { findFreePort } from './free-port.js';
import { httpsGet } from './https-probe.js';
import { SupervisedProcess } from './supervised-process.js';
import { waitFor } from './wait.js';

export interface ControlPlaneOptions {
  /** A private directory for etcd data, certificates, keys, logs and the kubeconfig. */
  dir: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

/** What a test (in another process) needs to reach a cluster: this control plane, or an existing one. */
export interface ClusterAccess {
  /** An admin kubeconfig. */
  kubeconfigPath: string;
  kubectl: string;
  /** Every write request (JSON lines, audit.k8s.io/v1 Event at Metadata level); only on the local control plane. */
  auditLogFile: string | undefined;
}

/** Writes only: reads and watches are not audited. */
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    verbs: ["get", "list", "watch"]
  - level: Metadata
`;

/**
 * A real etcd + kube-apiserver on loopback, started the way controller-runtime's envtest does:
 * RBAC authorization, admission (including ValidatingAdmissionPolicy) on, an admin in system:masters
 * authenticated by a static token. There is no controller-manager: no garbage collection, and
 * namespaces never finish deleting.
 */
export class ControlPlane {
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly adminToken = randomBytes(24).toString('hex');
  readonly caFile: string;
  readonly auditLogFile: string;
  private etcdProcess: SupervisedProcess | undefined;
  private apiserverProcess: SupervisedProcess | undefined;

  private constructor(
    private readonly options: ControlPlaneOptions,
    private readonly binaries: ControlPlaneBinaries,
    private readonly ports: { etcdClient: number; etcdPeer: number; apiserver: number },
  ) {
    this.server = `https://127.0.0.1:${ports.apiserver}`;
    this.kubeconfigPath = path.join(options.dir, 'kubeconfig');
    this.caFile = path.join(options.dir, 'certs', 'apiserver.crt');
    this.auditLogFile = path.join(options.dir, 'audit.log');
  }

  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const binaries = await ensureControlPlaneBinaries(options.log);
    // A free port can be taken by another process before our server binds it (parallel test runs
    // on one machine): then start again on fresh ports.
    for (let attempt = 1; ; attempt++) {
      const ports = { etcdClient: await findFreePort(), etcdPeer: await findFreePort(), apiserver: await findFreePort() };
      const controlPlane = new ControlPlane(options, binaries, ports);
      controlPlane.writeCredentials();
      try {
        await controlPlane.startEtcd();
        await controlPlane.startApiServer();
        return controlPlane;
      } catch (error) {
        await controlPlane.stop();
        if (attempt >= 3 || !(error instanceof Error && error.message.includes('address already in use'))) throw error;
        rmSync(controlPlane.file('etcd'), { recursive: true, force: true });
        options.log?.(`control plane: a port was taken meanwhile (attempt ${attempt}); starting again on other ports`);
      }
    }
  }

  /** Process ids of the running servers, for the benchmark's CPU accounting (/proc). */
  get processIds(): { apiserver: number | undefined; etcd: number | undefined } {
    return { apiserver: this.apiserverProcess?.pid, etcd: this.etcdProcess?.pid };
  }

  get kubernetesVersion(): string {
    return this.binaries.kubernetesVersion;
  }

  get kubectl(): string {
    return this.binaries.kubectl;
  }

  get access(): ClusterAccess {
    return { kubeconfigPath: this.kubeconfigPath, kubectl: this.binaries.kubectl, auditLogFile: this.auditLogFile };
  }

  private file(name: string): string {
    return path.join(this.options.dir, name);
  }

  private writeCredentials(): void {
    mkdirSync(this.file('certs'), { recursive: true });
    // Service-account tokens (TokenRequest) are signed with this pair; no certificate authority needed.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(this.file('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(this.file('sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(this.file('tokens.csv'), `${this.adminToken},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    writeFileSync(this.file('audit-policy.yaml'), auditPolicy);
  }

  private async startEtcd(): Promise<void> {
    const client = `http://127.0.0.1:${this.ports.etcdClient}`;
    const peer = `http://127.0.0.1:${this.ports.etcdPeer}`;
    const etcd = SupervisedProcess.start({
      name: 'etcd',
      command: this.binaries.etcd,
      args: [
        '--name=test',
        `--data-dir=${this.file('etcd')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=test=${peer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      logFile: this.file('etcd.log'),
      stopSignal: 'SIGTERM',
    });
    this.etcdProcess = etcd;
    await waitFor(
      'etcd to become healthy',
      async () => {
        const response = await fetch(`${client}/health`);
        return response.ok && ((await response.json()) as { health?: string }).health === 'true' ? true : undefined;
      },
      { timeoutMs: this.options.startTimeoutMs ?? 60_000, abortIf: () => etcd.exitReason() },
    );
  }

  /** Starts kube-apiserver (again), reusing its port, certificates and etcd, and waits until it is ready. */
  async startApiServer(): Promise<void> {
    const apiserver = SupervisedProcess.start({
      name: 'kube-apiserver',
      command: this.binaries.kubeApiserver,
      args: [
        `--etcd-servers=http://127.0.0.1:${this.ports.etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // No pod reaches this API server through the `kubernetes` Service, so nothing maintains its
        // endpoints; 1.37 also refuses a loopback advertise address with the default (lease) reconciler.
        '--endpoint-reconciler-type=none',
        `--secure-port=${this.ports.apiserver}`,
        `--cert-dir=${this.file('certs')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${this.file('sa.pub')}`,
        `--service-account-signing-key-file=${this.file('sa.key')}`,
        `--token-auth-file=${this.file('tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        // No kubelet mounts tokens here; the ServiceAccount plugin would only get in the way.
        '--disable-admission-plugins=ServiceAccount',
        process.env.DBUSER_APISERVER_PROFILING ? '--profiling=true' : '--profiling=false',
        `--audit-policy-file=${this.file('audit-policy.yaml')}`,
        `--audit-log-path=${this.auditLogFile}`,
        '--audit-log-maxsize=0',
        '--v=1',
      ],
      logFile: this.file('kube-apiserver.log'),
      stopSignal: 'SIGTERM',
    });
    this.apiserverProcess = apiserver;
    const timeoutMs = this.options.startTimeoutMs ?? 90_000;
    await waitFor(
      'kube-apiserver to become ready',
      async () => {
        if (!existsSync(this.caFile)) return undefined;
        const ready = await httpsGet(`${this.server}/readyz`, readFileSync(this.caFile, 'utf8'), this.adminToken);
        return ready.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, abortIf: () => apiserver.exitReason() },
    );
    this.writeKubeconfig();
    // Ready is not enough: the default namespace is created by a post-start controller.
    await waitFor(
      'namespace "default"',
      async () => {
        const ns = await httpsGet(`${this.server}/api/v1/namespaces/default`, readFileSync(this.caFile, 'utf8'), this.adminToken);
        return ns.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, abortIf: () => apiserver.exitReason() },
    );
  }

  async stopApiServer(): Promise<void> {
    await this.apiserverProcess?.stop();
  }

  async restartApiServer(): Promise<void> {
    await this.stopApiServer();
    await this.startApiServer();
  }

  async stop(): Promise<void> {
    await this.apiserverProcess?.stop();
    await this.etcdProcess?.stop();
  }

  private writeKubeconfig(): void {
    const ca = readFileSync(this.caFile).toString('base64');
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'dbuser-local', cluster: { server: this.server, 'certificate-authority-data': ca } }],
      users: [{ name: 'admin', user: { token: this.adminToken } }],
      contexts: [{ name: 'dbuser-local', context: { cluster: 'dbuser-local', user: 'admin', namespace: 'default' } }],
      'current-context': 'dbuser-local',
    });
    writeFileSync(this.kubeconfigPath, kubeconfig, { mode: 0o600 });
  }
}
