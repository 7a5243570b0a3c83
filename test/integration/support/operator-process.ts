import { testOwnerLabel } from './platform.js';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { findFreePort } from '../../harness/free-port.js';
import { readHarnessState } from '../../harness/harness-state.js';
import { repoRoot } from '../../harness/paths.js';
import { SupervisedProcess } from '../../harness/supervised-process.js';
import { waitFor } from '../../harness/wait.js';

export interface OperatorOptions {
  /** The namespace it watches (and keeps its Lease in). */
  namespace: string;
  /** Extra settings, e.g. { RESYNC_INTERVAL: '2s' }. */
  env?: Record<string, string>;
  kubeconfig?: string;
  /** Distinguishes log files when a test runs several operators. */
  instance?: string;
  /** What start() waits for: /readyz (default) or only /healthz. */
  waitUntil?: 'ready' | 'healthy';
  /** Another build's dist/main.js (the benchmark compares against a baseline build). */
  mainScript?: string;
  /** Node flags instead of operatorNodeFlags (the benchmark compares heap settings). */
  nodeFlags?: readonly string[];
}

/** This checkout's build, or another one's (OPERATOR_MAIN_SCRIPT: e.g. to see a test fail on an earlier release). */
const mainScript = process.env.OPERATOR_MAIN_SCRIPT ?? path.join(repoRoot, 'dist', 'main.js');
/** The Node flags the image and `npm start` use (a unit test keeps the three in step). */
export const operatorNodeFlags = ['--max-semi-space-size=8', '--max-old-space-size=192'];
let started = 0;

/**
 * The operator as users run it: the compiled dist/main.js in its own process, talking to the real API
 * server and PostgreSQL. Logs go to <run dir>/operators/, where the suite's leak check scans them.
 */
export class OperatorProcess {
  private constructor(
    private process: SupervisedProcess,
    private readonly spec: { env: NodeJS.ProcessEnv; logFile: string; script: string; nodeFlags: readonly string[] },
    readonly port: number,
  ) {}

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const script = options.mainScript ?? mainScript;
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` (npm run test:integration does)`);
    const state = readHarnessState();
    const logDir = path.join(state.dir, 'operators');
    mkdirSync(logDir, { recursive: true });
    started += 1;
    const logFile = path.join(logDir, `${options.namespace}-${options.instance ?? 'main'}-${process.pid}-${started}.log`);
    const port = await findFreePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      KUBECONFIG: options.kubeconfig ?? state.operator.kubeconfigPath,
      WATCH_NAMESPACES: options.namespace,
      OPERATOR_NAMESPACE: options.namespace,
      LEADER_ELECT: 'false',
      HTTP_PORT: String(port),
      RESYNC_INTERVAL: '1h',
      RETRY_BACKOFF_MAX: '3s',
      LOG_LEVEL: 'debug',
      // DatabaseServers are cluster-scoped and every test file runs its own operator: each manages only its file's servers.
      SERVER_SELECTOR: `${testOwnerLabel}=${options.namespace.split(',')[0] ?? ''}`,
      ...options.env,
    };
    const spec = { env, logFile, script, nodeFlags: options.nodeFlags ?? operatorNodeFlags };
    const operator = new OperatorProcess(SupervisedProcess.start(OperatorProcess.processSpec(spec)), spec, port);
    try {
      await operator.waitFor(options.waitUntil === 'healthy' ? '/healthz' : '/readyz');
    } catch (error) {
      // The caller never gets the process to stop: leaving it running would keep jest from exiting.
      await operator.kill();
      throw error;
    }
    return operator;
  }

  private static processSpec({ env, logFile, script, nodeFlags }: OperatorProcess['spec']) {
    return { name: 'operator', command: process.execPath, args: [...nodeFlags, script], env, logFile, stopSignal: 'SIGTERM' as const, cwd: repoRoot };
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  /** The process id (the benchmark reads its peak RSS from /proc). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  get exited() {
    return this.process.exited;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Why the process is not running (with its last log lines), or undefined while it runs. */
  exitReason(): string | undefined {
    return this.process.exitReason();
  }

  private async waitFor(endpoint: '/readyz' | '/healthz'): Promise<void> {
    const proc = this.process;
    await waitFor(`the operator to answer ${endpoint}`, async () => ((await this.probe(endpoint)) === 200 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      abortIf: () => proc.exitReason(),
    });
  }

  /** The HTTP status of /healthz or /readyz. */
  async probe(endpoint: '/readyz' | '/healthz'): Promise<number> {
    return (await fetch(`http://127.0.0.1:${this.port}${endpoint}`)).status;
  }

  /** SIGTERM, as Kubernetes stops a pod. */
  async stop(): Promise<void> {
    await this.process.stop(30_000);
  }

  /** SIGKILL: a crash. */
  async kill(): Promise<void> {
    await this.process.kill();
  }

  /** Starts the same operator again (same settings, same log file), after stop() or kill(). */
  async restart(): Promise<void> {
    if (this.process.running) await this.stop();
    this.process = SupervisedProcess.start(OperatorProcess.processSpec(this.spec));
    await this.waitFor('/readyz');
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }
}

/** The value of one metric sample in Prometheus text format, e.g. metric(text, 'x_total', { result: 'done' }). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!wanted.every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
