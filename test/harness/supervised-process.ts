import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ProcessSpec {
  /** Short name used in errors, e.g. "etcd". */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Drop privileges to this user (PostgreSQL refuses to run as root). */
  runAs?: { uid: number; gid: number };
  /** The signal that asks the process for a fast, clean shutdown. */
  stopSignal: NodeJS.Signals;
  /** Sent by the kernel if this Node process dies first; default SIGKILL (nothing here is worth keeping). */
  parentDeathSignal?: NodeJS.Signals;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const hasSetprivPdeathsig = (() => {
  const probe = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('--pdeathsig');
})();

/**
 * A server process owned by this Node process. When this process dies for any reason (even SIGKILL),
 * the kernel signals the child (setpriv --pdeathsig), so no server outlives the run; otherwise the
 * owner stops it explicitly.
 */
export class SupervisedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private spawnError: Error | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(spec: ProcessSpec): SupervisedProcess {
    const log = openSync(spec.logFile, 'a');
    const [command, args] = hasSetprivPdeathsig
      ? ['setpriv', ['--pdeathsig', spec.parentDeathSignal ?? 'SIGKILL', '--', spec.command, ...spec.args]]
      : [spec.command, [...spec.args]];
    try {
      const child = spawn(command, args, {
        // Own process group: Ctrl-C reaches only us, and we stop servers in order (an API server
        // whose etcd died first hangs in its graceful shutdown).
        detached: true,
        stdio: ['ignore', log, log],
        env: spec.env ?? process.env,
        ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
        ...(spec.runAs === undefined ? {} : { uid: spec.runAs.uid, gid: spec.runAs.gid }),
      });
      const started = new SupervisedProcess(spec, child);
      child.once('error', (error) => {
        started.exitInfo ??= { code: null, signal: null };
        started.spawnError = error;
      });
      return started;
    } finally {
      closeSync(log);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process is no longer running, or undefined while it runs. */
  exitReason(): string | undefined {
    if (this.spawnError) return `${this.spec.name} could not be started: ${this.spawnError.message}`;
    if (this.exitInfo === undefined) return undefined;
    const how = this.exitInfo.signal ?? `code ${String(this.exitInfo.code)}`;
    return `${this.spec.name} exited (${how}); last log lines:\n${this.logTail()}`;
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.spawnError === undefined;
  }

  /** Asks for a clean shutdown; escalates to SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(this.spec.stopSignal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills without warning, as a crash would. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  logTail(lines = 25): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
