import path from 'node:path';
import { resolveGoBinary, type GoBinary } from './go-binaries.js';
import { repoRoot } from './paths.js';

/**
 * What operations teams plug the operator into, built from Go modules pinned in tools/ like the
 * control plane, so the shipped integrations are tested by the real programs: promtool (the alert
 * rules), kube-state-metrics (the CustomResourceStateMetrics config), and krew with its manifest
 * validator (the plugin manifest).
 */
const promtool: GoBinary = {
  binary: 'promtool',
  moduleDir: path.join(repoRoot, 'tools', 'promtool'),
  versionOf: 'github.com/prometheus/prometheus',
  goPackage: 'github.com/prometheus/prometheus/cmd/promtool',
  overrideEnv: 'PROMTOOL_BIN',
  // Module v0.316.0 is Prometheus 3.16.0.
  ldflags: (version) => `-X github.com/prometheus/common/version.Version=${version.replace(/^v0\.(\d)(\d\d)\./, '$1.$2.').replace(/\.0(\d)\./, '.$1.')}`,
  // Without every service-discovery plugin: promtool's rule tests need none of them.
  tags: ['remove_all_sd'],
};

const kubeStateMetrics: GoBinary = {
  binary: 'kube-state-metrics',
  moduleDir: path.join(repoRoot, 'tools', 'kube-state-metrics'),
  versionOf: 'k8s.io/kube-state-metrics/v2',
  goPackage: 'k8s.io/kube-state-metrics/v2',
  overrideEnv: 'KUBE_STATE_METRICS_BIN',
  ldflags: (version) => `-X github.com/prometheus/common/version.Version=${version}`,
};

const krew: GoBinary = {
  binary: 'kubectl-krew',
  moduleDir: path.join(repoRoot, 'tools', 'krew'),
  versionOf: 'sigs.k8s.io/krew',
  goPackage: 'sigs.k8s.io/krew/cmd/krew',
  overrideEnv: 'KREW_BIN',
  ldflags: (version) => `-X sigs.k8s.io/krew/internal/version.gitTag=${version}`,
};

const validateKrewManifest: GoBinary = {
  binary: 'validate-krew-manifest',
  moduleDir: path.join(repoRoot, 'tools', 'krew'),
  versionOf: 'sigs.k8s.io/krew',
  goPackage: 'sigs.k8s.io/krew/cmd/validate-krew-manifest',
  overrideEnv: 'VALIDATE_KREW_MANIFEST_BIN',
  ldflags: () => '',
};

export interface OperationsTools {
  promtool: string;
  kubeStateMetrics: string;
  krew: string;
  validateKrewManifest: string;
}

export async function ensureOperationsTools(log: (line: string) => void = () => undefined): Promise<OperationsTools> {
  return {
    promtool: await resolveGoBinary(promtool, log),
    kubeStateMetrics: await resolveGoBinary(kubeStateMetrics, log),
    krew: await resolveGoBinary(krew, log),
    validateKrewManifest: await resolveGoBinary(validateKrewManifest, log),
  };
}
