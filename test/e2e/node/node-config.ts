import { stringify } from 'yaml';

/** Addresses exist only inside the node's network namespace, so fixed ones cannot collide with anything. */
export const network = {
  nodeName: 'e2e-node',
  nodeAddress: '10.200.0.1',
  apiserverPort: 6443,
  podCidr: '10.244.0.0/24',
  bridgeGateway: '10.244.0.1/24',
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/24',
} as const;

/** In local storage only (`localhost/`): no registry is named, none is ever asked. */
export const pauseImage = 'localhost/pause:3.10.1';

/** What differs between hosts and changes the configuration; found at run time (host-settings.ts). */
export interface HostSettings {
  /** kubelet and runc must agree; cgroupfs here (there is no systemd to delegate to). */
  cgroupDriver: 'cgroupfs';
  /** cgroup v1 controllers are mounted: kubelet 1.35+ refuses them unless told not to. */
  cgroupV1: boolean;
  swapOn: boolean;
  /** Without CAP_SYS_RESOURCE runc cannot lower oom_score_adj below ours: every sandbox would fail. */
  restrictOomScoreAdj: boolean;
}

export interface NodePaths {
  cniConfDir: string;
  cniBinDir: string;
  runc: string;
  kubeletKubeconfig: string;
  proxyKubeconfig: string;
}

export function containerdConfig(host: HostSettings, paths: NodePaths): string {
  // containerd's fixed paths (/var/lib/containerd, /run/containerd) are private mounts of the node.
  return `version = 3

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = ${String(host.restrictOomScoreAdj)}
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "${paths.runc}"
        # kubelet's cgroupDriver is cgroupfs (the run's own tree; no systemd to delegate to).
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["${paths.cniBinDir}"]
    conf_dir = "${paths.cniConfDir}"

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "${pauseImage}"
`;
}

/** A bridge with host-local addresses; no masquerade: nothing is meant to leave the namespace. */
export function cniConfig(): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'e2e',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: network.podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfig(host: HostSettings, cgroupRoot: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: network.nodeAddress,
    healthzBindAddress: '127.0.0.1',
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    cgroupDriver: host.cgroupDriver,
    // Every pod's cgroup lands inside the run's tree, which teardown removes.
    cgroupRoot,
    failCgroupV1: !host.cgroupV1,
    failSwapOn: !host.swapOn,
    // The API server is the only client, inside the namespace.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    podCIDR: network.podCidr,
    maxPods: 30,
    // No cluster DNS: pods reach the API server and PostgreSQL by address; no host resolver inside.
    resolvConf: '',
    // The disk is shared with other work: never evict or collect the test's images because of it.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    shutdownGracePeriod: '0s',
  });
}

export function kubeProxyConfig(kubeconfig: string): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    mode: 'iptables',
    clusterCIDR: network.clusterCidr,
    hostnameOverride: network.nodeName,
    bindAddress: network.nodeAddress,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    nodePortAddresses: [`${network.nodeAddress}/32`],
    // Zero leaves the host-wide conntrack sysctls alone (they are not per namespace).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

export function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user, namespace: 'default' } }],
    'current-context': 'e2e',
  });
}
