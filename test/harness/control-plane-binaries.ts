import path from 'node:path';
import { pinnedVersion, resolveGoBinary, type GoBinary } from './go-binaries.js';
import { defaultKubernetesMinor, kubernetesModuleOf, selectedKubernetesMinor } from './kubernetes-version.js';
import { repoRoot } from './paths.js';

/**
 * kube-apiserver and etcd are built from Go modules pinned in tools/controlplane/ (go.mod + go.sum),
 * because no prebuilt binaries can be downloaded and there is no container engine. Binaries are cached
 * outside the work tree, keyed by version, so only the first run on a machine pays for the build.
 * KUBE_VERSION picks the Kubernetes minor (kubernetes-version.ts); every minor runs on the same etcd.
 */

/** Kubernetes binaries report their version from these variables (unset: "v0.0.0-master"). */
export function kubernetesVersionFlags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major ?? ''}`, `-X ${pkg}.gitMinor=${minor ?? ''}`, `-X ${pkg}.gitTreeState=clean`].join(
    ' ',
  );
}

/** The default minor's module, which also pins the e2e node's binaries. */
export const kubernetesModule = kubernetesModuleOf(defaultKubernetesMinor);

const etcd: GoBinary = {
  binary: 'etcd',
  moduleDir: path.join(repoRoot, 'tools', 'controlplane', 'etcd'),
  versionOf: 'go.etcd.io/etcd/server/v3',
  goPackage: 'go.etcd.io/etcd/server/v3',
  overrideEnv: 'ETCD_BIN',
  ldflags: () => '',
};

function kubernetesBinary(binary: 'kube-apiserver' | 'kubectl', overrideEnv: string, minor: string): GoBinary {
  return {
    binary,
    moduleDir: kubernetesModuleOf(minor),
    versionOf: 'k8s.io/kubernetes',
    goPackage: `k8s.io/kubernetes/cmd/${binary}`,
    overrideEnv,
    ldflags: kubernetesVersionFlags,
  };
}

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubernetesVersion: string;
}

/** Returns paths to etcd, kube-apiserver and kubectl of the selected minor, building whichever is not cached yet. */
export async function ensureControlPlaneBinaries(
  log: (line: string) => void = () => undefined,
  minor: string = selectedKubernetesMinor(),
): Promise<ControlPlaneBinaries> {
  const kubeApiserver = kubernetesBinary('kube-apiserver', 'KUBE_APISERVER_BIN', minor);
  return {
    etcd: await resolveGoBinary(etcd, log),
    kubeApiserver: await resolveGoBinary(kubeApiserver, log),
    kubectl: await resolveGoBinary(kubernetesBinary('kubectl', 'KUBECTL_BIN', minor), log),
    kubernetesVersion: pinnedVersion(kubeApiserver),
  };
}
