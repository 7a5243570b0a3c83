import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SupervisedProcess } from '../../harness/supervised-process.js';
import { waitFor } from '../../harness/wait.js';
import type { NodeBinaries } from './node-binaries.js';
import { containerdConfig, cniConfig, kubeconfig, kubeletConfig, kubeProxyConfig, network, type HostSettings } from './node-config.js';
import { execInNode } from './node-exec.js';
import type { NodeNamespaces } from './node-namespaces.js';

export interface NodeOptions {
  runDir: string;
  binaries: NodeBinaries;
  host: HostSettings;
  namespaces: NodeNamespaces;
  /** OCI archives imported into containerd's k8s.io namespace before kubelet starts. */
  images: readonly string[];
  log: (line: string) => void;
}

/** Identities of the components, each authenticated by a static token; kubelet goes through the Node authorizer. */
const identities = {
  admin: { user: 'admin', groups: 'system:masters' },
  kubelet: { user: `system:node:${network.nodeName}`, groups: 'system:nodes' },
  controllerManager: { user: 'system:kube-controller-manager', groups: '' },
  scheduler: { user: 'system:kube-scheduler', groups: '' },
  proxy: { user: 'system:kube-proxy', groups: '' },
} as const;
type Identity = keyof typeof identities;

/**
 * A single-node cluster inside the run's namespaces: etcd, kube-apiserver, containerd + runc + CNI
 * bridge, kube-controller-manager, kube-scheduler, kubelet, kube-proxy. Started in dependency order,
 * stopped in reverse; whatever a stop misses, the cgroup teardown kills.
 */
export class Node {
  readonly server = `https://${network.nodeAddress}:${network.apiserverPort}`;
  private readonly processes: SupervisedProcess[] = [];
  private readonly tokens = Object.fromEntries(Object.keys(identities).map((name) => [name, randomBytes(24).toString('hex')])) as Record<Identity, string>;

  private constructor(private readonly options: NodeOptions) {}

  static async start(options: NodeOptions): Promise<Node> {
    const node = new Node(options);
    try {
      await node.startAll();
      return node;
    } catch (error) {
      await node.stop();
      throw error;
    }
  }

  file(...parts: string[]): string {
    return path.join(this.options.runDir, ...parts);
  }

  get caFile(): string {
    return this.file('certs', 'apiserver.crt');
  }

  kubeconfigFor(identity: Identity): string {
    return this.file('kubeconfig', `${identity}.yaml`);
  }

  get adminKubeconfig(): string {
    return this.kubeconfigFor('admin');
  }

  private spawn(name: string, command: string, args: readonly string[], extra: { env?: NodeJS.ProcessEnv } = {}): SupervisedProcess {
    const [wrapper, wrapped] = this.options.namespaces.enter(command, args);
    const started = SupervisedProcess.start({
      name,
      command: wrapper,
      args: wrapped,
      logFile: this.file('logs', `${name}.log`),
      stopSignal: 'SIGTERM',
      ...(extra.env ? { env: extra.env } : {}),
    });
    this.processes.push(started);
    return started;
  }

  private async timed<T>(what: string, step: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const result = await step();
    this.options.log(`node: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  private async startAll(): Promise<void> {
    this.writeFiles();
    const { binaries } = this.options;
    const etcd = this.spawn('etcd', binaries.etcd, [
      '--name=e2e',
      `--data-dir=${this.file('etcd')}`,
      '--listen-client-urls=http://127.0.0.1:2379',
      '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380',
      '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=e2e=http://127.0.0.1:2380',
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    const apiserver = this.spawn('kube-apiserver', binaries.kubeApiserver, [
      '--etcd-servers=http://127.0.0.1:2379',
      `--bind-address=${network.nodeAddress}`,
      `--advertise-address=${network.nodeAddress}`,
      `--secure-port=${network.apiserverPort}`,
      `--cert-dir=${this.file('certs')}`,
      `--service-cluster-ip-range=${network.serviceCidr}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${this.file('sa.pub')}`,
      `--service-account-signing-key-file=${this.file('sa.key')}`,
      `--token-auth-file=${this.file('tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--allow-privileged=true',
      // logs and exec reach kubelet at the node's address; kubelet's certificate is self-signed.
      '--kubelet-preferred-address-types=InternalIP',
      '--profiling=false',
      '--v=1',
    ]);
    await this.timed('kube-apiserver ready', () => this.waitForApiServer([etcd, apiserver]));
    const containerd = this.spawn('containerd', binaries.containerd, ['--config', this.file('containerd.toml')], {
      // The runc shim is found on PATH by its name.
      env: { ...process.env, PATH: `${this.file('bin')}:${process.env.PATH ?? ''}` },
    });
    await this.timed('containerd ready and images imported', () => this.importImages(containerd));
    this.spawn('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${this.kubeconfigFor('controllerManager')}`,
      `--authentication-kubeconfig=${this.kubeconfigFor('controllerManager')}`,
      `--authorization-kubeconfig=${this.kubeconfigFor('controllerManager')}`,
      // Each controller acts as its own ServiceAccount, as in real clusters (the protection policy names the namespace controller's).
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${this.file('sa.key')}`,
      `--root-ca-file=${this.caFile}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--v=1',
    ]);
    this.spawn('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${this.kubeconfigFor('scheduler')}`,
      `--authentication-kubeconfig=${this.kubeconfigFor('scheduler')}`,
      `--authorization-kubeconfig=${this.kubeconfigFor('scheduler')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      '--v=1',
    ]);
    const kubelet = this.spawn('kubelet', binaries.kubelet, [
      `--config=${this.file('kubelet.yaml')}`,
      `--kubeconfig=${this.kubeconfigFor('kubelet')}`,
      `--hostname-override=${network.nodeName}`,
      `--node-ip=${network.nodeAddress}`,
      '--v=1',
    ]);
    this.spawn('kube-proxy', binaries.kubeProxy, [`--config=${this.file('kube-proxy.yaml')}`, '--v=1']);
    await this.timed('node Ready', () => this.waitForNodeReady(kubelet));
  }

  private writeFiles(): void {
    for (const dir of ['certs', 'kubeconfig', 'logs', 'bin', 'cni']) mkdirSync(this.file(dir), { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(this.file('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(this.file('sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const tokenLines = (Object.keys(identities) as Identity[]).map((name) => {
      const { user, groups } = identities[name];
      return `${this.tokens[name]},${user},${user},"${groups}"`;
    });
    writeFileSync(this.file('tokens.csv'), `${tokenLines.join('\n')}\n`, { mode: 0o600 });
    for (const name of Object.keys(identities) as Identity[]) {
      writeFileSync(this.kubeconfigFor(name), kubeconfig(this.server, this.caFile, identities[name].user, this.tokens[name]), { mode: 0o600 });
    }
    const shim = this.file('bin', 'containerd-shim-runc-v2');
    if (!existsSync(shim)) symlinkSync(this.options.binaries.containerdShim, shim);
    writeFileSync(this.file('cni', '10-bridge.conflist'), cniConfig());
    const paths = {
      cniConfDir: this.file('cni'),
      cniBinDir: '/usr/lib/cni',
      runc: '/usr/sbin/runc',
      kubeletKubeconfig: this.kubeconfigFor('kubelet'),
      proxyKubeconfig: this.kubeconfigFor('proxy'),
    };
    writeFileSync(this.file('containerd.toml'), containerdConfig(this.options.host, paths));
    writeFileSync(this.file('kubelet.yaml'), kubeletConfig(this.options.host, this.options.namespaces.tree.root));
    writeFileSync(this.file('kube-proxy.yaml'), kubeProxyConfig(this.kubeconfigFor('proxy')));
  }

  /** kubectl inside the node's namespaces, as the admin. */
  async kubectl(args: readonly string[], timeoutMs?: number): Promise<string> {
    return execInNode(this.options.namespaces, this.options.binaries.kubectl, [`--kubeconfig=${this.adminKubeconfig}`, ...args], timeoutMs);
  }

  private async waitForApiServer(servers: SupervisedProcess[]): Promise<void> {
    const abortIf = (): string | undefined => servers.map((server) => server.exitReason()).find((reason) => reason !== undefined);
    await waitFor(
      'kube-apiserver to become ready',
      async () => (existsSync(this.caFile) && (await this.kubectl(['get', '--raw=/readyz'], 10_000)).trim() === 'ok' ? true : undefined),
      {
        timeoutMs: 180_000,
        intervalMs: 1_000,
        abortIf,
      },
    );
    await waitFor('namespace "default"', async () => ((await this.kubectl(['get', 'namespace', 'default', '-o', 'name'])).trim() !== '' ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
      abortIf,
    });
  }

  private async importImages(containerd: SupervisedProcess): Promise<void> {
    const socket = this.file('fs', 'run', 'containerd', 'containerd.sock');
    const ctr = (args: string[]): Promise<string> =>
      execInNode(this.options.namespaces, this.options.binaries.ctr, ['--address=/run/containerd/containerd.sock', '--namespace=k8s.io', ...args]);
    await waitFor('containerd to serve', async () => (existsSync(socket) && (await ctr(['version'])) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
      abortIf: () => containerd.exitReason(),
    });
    for (const archive of this.options.images) await ctr(['images', 'import', archive]);
  }

  private async waitForNodeReady(kubelet: SupervisedProcess): Promise<void> {
    await waitFor(
      `node ${network.nodeName} to become Ready`,
      async () => {
        const status = await this.kubectl(['get', 'node', network.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => '');
        return status.trim() === 'True' ? true : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1_000, abortIf: () => kubelet.exitReason() },
    );
    // Pods need their namespace's ServiceAccount, made by the controller manager.
    await waitFor(
      'the default ServiceAccount',
      async () => ((await this.kubectl(['get', 'serviceaccount', 'default', '-o', 'name']).catch(() => '')).trim() !== '' ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
  }

  processSummary(): string {
    return this.processes.map((proc) => `${proc.spec.name}: ${proc.running ? 'running' : (proc.exitReason() ?? 'stopped')}`).join('\n');
  }

  /** Stops components in reverse order (kubelet before containerd before the API server before etcd). */
  async stop(): Promise<void> {
    for (const proc of [...this.processes].reverse()) await proc.stop(5_000);
  }
}
