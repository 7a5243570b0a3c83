import path from 'node:path';
import { pinnedVersion, resolveGoBinary, type GoBinary } from './go-binaries.js';
import { repoRoot } from './paths.js';

/**
 * kube-apiserver and etcd are built from Go modules pinned in tools/controlplane/ (go.mod + go.sum),
 * because no prebuilt binaries can be downloaded and there is no container engine. Binaries are cached
 * outside the work tree, keyed by version, so only the first run on a machine pays for the build.
 */

/** Kubernetes binaries report their version from these variables (unset: "v0.0.0-master"). */
function kubernetesVersionFlags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major ?? ''}`, `-X ${pkg}.gitMinor=${minor ?? ''}`, `-X ${pkg}.gitTreeState=clean`].join(
    ' ',
  );
}

const kubernetesModule = path.join(repoRoot, 'tools', 'controlplane', 'kubernetes');

const etcd: GoBinary = {
  binary: 'etcd',
  moduleDir: path.join(repoRoot, 'tools', 'controlplane', 'etcd'),
  versionOf: 'go.etcd.io/etcd/server/v3',
  goPackage: 'go.etcd.io/etcd/server/v3',
  overrideEnv: 'ETCD_BIN',
  ldflags: () => '',
};

const kubeApiserver: GoBinary = {
  binary: 'kube-apiserver',
  moduleDir: kubernetesModule,
  versionOf: 'k8s.io/kubernetes',
  goPackage: 'k8s.io/kubernetes/cmd/kube-apiserver',
  overrideEnv: 'KUBE_APISERVER_BIN',
  ldflags: kubernetesVersionFlags,
};

const kubectl: GoBinary = {
  binary: 'kubectl',
  moduleDir: kubernetesModule,
  versionOf: 'k8s.io/kubernetes',
  goPackage: 'k8s.io/kubernetes/cmd/kubectl',
  overrideEnv: 'KUBECTL_BIN',
  ldflags: kubernetesVersionFlags,
};

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubernetesVersion: string;
}

/** Returns paths to etcd, kube-apiserver and kubectl, building whichever is not cached yet. */
export async function ensureControlPlaneBinaries(log: (line: string) => void = () => undefined): Promise<ControlPlaneBinaries> {
  return {
    etcd: await resolveGoBinary(etcd, log),
    kubeApiserver: await resolveGoBinary(kubeApiserver, log),
    kubectl: await resolveGoBinary(kubectl, log),
    kubernetesVersion: pinnedVersion(kubeApiserver),
  };
}
