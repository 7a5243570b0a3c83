import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CgroupLayout } from './cgroups.js';

/** A missing requirement, reported as one line before anything is started. */
export class PreflightError extends Error {}

const commands: Record<string, string> = {
  unshare: 'util-linux',
  nsenter: 'util-linux',
  setpriv: 'util-linux',
  mount: 'mount',
  ip: 'iproute2',
  iptables: 'iptables',
  conntrack: 'conntrack',
  runc: 'runc',
  buildah: 'buildah',
  debootstrap: 'debootstrap',
  tar: 'tar',
  go: 'the Go toolchain (1.26)',
};

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Root, Linux, namespaces, a cgroup layout kubelet can use, and the tools of tools/system-packages.sh. */
export function checkPrerequisites(cgroups: () => CgroupLayout): void {
  if (process.platform !== 'linux') throw new PreflightError(`the e2e tier needs Linux (this is ${process.platform})`);
  if (process.getuid?.() !== 0)
    throw new PreflightError('the e2e tier needs root: it creates network and mount namespaces, cgroups and mounts (run it with sudo)');
  const missing = Object.entries(commands).filter(([command]) => !onPath(command));
  if (!existsSync('/usr/lib/cni/bridge')) missing.push(['/usr/lib/cni/bridge', 'containernetworking-plugins']);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(', ');
    throw new PreflightError(`the e2e tier needs ${missing.map(([command]) => command).join(', ')} (${packages}): run tools/system-packages.sh`);
  }
  if (spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status !== 0) {
    throw new PreflightError('the e2e tier needs network and mount namespaces, and this process cannot create them (a container without CAP_SYS_ADMIN?)');
  }
  const layout = cgroups();
  if (!layout.v1) {
    throw new PreflightError(
      'the e2e tier supports hosts with cgroup v1 controllers (hybrid) only so far; this host is cgroup v2-only (see docs/adr/0011-e2e-real-node.md)',
    );
  }
}
