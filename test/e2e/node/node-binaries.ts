import path from 'node:path';
import { ensureControlPlaneBinaries, kubernetesModule, kubernetesVersionFlags, type ControlPlaneBinaries } from '../../harness/control-plane-binaries.js';
import { resolveGoBinary, type GoBinary } from '../../harness/go-binaries.js';
import { defaultKubernetesMinor } from '../../harness/kubernetes-version.js';
import { repoRoot } from '../../harness/paths.js';

/**
 * The node's components beside the control plane's: the Kubernetes ones from the same pinned module
 * (tools/controlplane/kubernetes-1.36, the default minor: the node ignores KUBE_VERSION), containerd 2.x and its runc shim from tools/controlplane/containerd.
 * Built once per machine and cached like kube-apiserver (test/harness/control-plane-binaries.ts).
 */
function kubernetesComponent(binary: string, overrideEnv: string): GoBinary {
  return {
    binary,
    moduleDir: kubernetesModule,
    versionOf: 'k8s.io/kubernetes',
    goPackage: `k8s.io/kubernetes/cmd/${binary}`,
    overrideEnv,
    ldflags: kubernetesVersionFlags,
  };
}

const containerdModule = path.join(repoRoot, 'tools', 'controlplane', 'containerd');

function containerdComponent(binary: string, overrideEnv: string): GoBinary {
  return {
    binary,
    moduleDir: containerdModule,
    versionOf: 'github.com/containerd/containerd/v2',
    goPackage: `github.com/containerd/containerd/v2/cmd/${binary}`,
    overrideEnv,
    ldflags: (version) => `-X github.com/containerd/containerd/v2/version.Version=${version}`,
    // btrfs needs cgo and headers; the node uses the overlayfs snapshotter.
    tags: ['no_btrfs'],
  };
}

const components = {
  kubelet: kubernetesComponent('kubelet', 'KUBELET_BIN'),
  kubeControllerManager: kubernetesComponent('kube-controller-manager', 'KUBE_CONTROLLER_MANAGER_BIN'),
  kubeScheduler: kubernetesComponent('kube-scheduler', 'KUBE_SCHEDULER_BIN'),
  kubeProxy: kubernetesComponent('kube-proxy', 'KUBE_PROXY_BIN'),
  containerd: containerdComponent('containerd', 'CONTAINERD_BIN'),
  containerdShim: containerdComponent('containerd-shim-runc-v2', 'CONTAINERD_SHIM_BIN'),
  ctr: containerdComponent('ctr', 'CTR_BIN'),
};

export type NodeBinaries = ControlPlaneBinaries & Record<keyof typeof components, string>;

/** Every binary the node runs, building whichever is not cached yet (sequentially: 2 shared cores). */
export async function ensureNodeBinaries(log: (line: string) => void): Promise<NodeBinaries> {
  const controlPlane = await ensureControlPlaneBinaries(log, defaultKubernetesMinor);
  const built: Partial<Record<keyof typeof components, string>> = {};
  for (const [key, component] of Object.entries(components) as [keyof typeof components, GoBinary][]) {
    built[key] = await resolveGoBinary(component, log);
  }
  return { ...controlPlane, ...(built as Record<keyof typeof components, string>) };
}
