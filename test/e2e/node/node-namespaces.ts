import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SupervisedProcess } from '../../harness/supervised-process.js';
import { waitFor } from '../../harness/wait.js';
import type { CgroupTree } from './cgroups.js';

const initScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'namespace-init.sh');

/**
 * Wraps a command so that it first writes itself into the node's cgroups (teardown finds it there,
 * even after this runner was killed), then runs as `command args` in `cwd` (nsenter --mount moves to /).
 */
export function inCgroup(tree: CgroupTree, command: string, args: readonly string[], cwd = process.cwd()): [string, string[]] {
  const join = 'cd -- "$1"; shift; while [ "$1" != -- ]; do echo $$ >"$1"; shift; done; shift; exec "$@"';
  return ['/bin/sh', ['-c', join, 'join-cgroup', cwd, ...tree.nodeProcsFiles, '--', command, ...args]];
}

/**
 * The node's network and mount namespaces, held by one `sleep` started under `unshare`. Every
 * component enters them with nsenter; they disappear with their last process, so nothing on the
 * host (no /run/netns entry, no mount) outlives the run.
 */
export class NodeNamespaces {
  private constructor(
    private readonly holder: SupervisedProcess,
    readonly tree: CgroupTree,
  ) {}

  static async create(options: { runDir: string; address: string; bridgeGateway: string; serviceCidr: string; tree: CgroupTree }): Promise<NodeNamespaces> {
    const ready = path.join(options.runDir, 'namespaces-ready');
    const [command, args] = inCgroup(options.tree, 'unshare', [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      initScript,
      options.runDir,
      options.address,
      ready,
      options.bridgeGateway,
      options.serviceCidr,
    ]);
    const holder = SupervisedProcess.start({
      name: 'namespace holder',
      command,
      args,
      logFile: path.join(options.runDir, 'namespaces.log'),
      stopSignal: 'SIGKILL',
    });
    await waitFor('the node namespaces', () => Promise.resolve(existsSync(ready) ? true : undefined), {
      timeoutMs: 10_000,
      abortIf: () => holder.exitReason(),
    });
    return new NodeNamespaces(holder, options.tree);
  }

  get holderPid(): number {
    const pid = this.holder.pid;
    if (pid === undefined) throw new Error('the namespace holder has no pid');
    return pid;
  }

  /** `command args` inside the node's namespaces and cgroup. */
  enter(command: string, args: readonly string[]): [string, string[]] {
    const [wrapper, wrapped] = inCgroup(this.tree, command, args);
    return ['nsenter', ['--target', String(this.holderPid), '--net', '--mount', '--', wrapper, ...wrapped]];
  }

  async stop(): Promise<void> {
    await this.holder.kill();
  }
}
