import path from 'node:path';
import { resolveGoBinary, type GoBinary } from './go-binaries.js';
import { repoRoot } from './paths.js';

/**
 * The tools the GitOps tests drive, built from Go modules like the control plane: helm (pinned in
 * tools/helm/) for `helm lint` and `helm template`, and tools/gitops-check/, which computes kstatus
 * (sigs.k8s.io/cli-utils, what Flux uses) and runs the Argo CD health script with gopher-lua.
 */
const helm: GoBinary = {
  binary: 'helm',
  moduleDir: path.join(repoRoot, 'tools', 'helm'),
  versionOf: 'helm.sh/helm/v4',
  goPackage: 'helm.sh/helm/v4/cmd/helm',
  overrideEnv: 'HELM_BIN',
  // `helm version` reports the pinned release rather than its default "v4.3".
  ldflags: (version) => `-X helm.sh/helm/v4/internal/version.version=${version} -X helm.sh/helm/v4/internal/version.gitTreeState=clean`,
};

const gitopsCheck: GoBinary = {
  binary: 'gitops-check',
  moduleDir: path.join(repoRoot, 'tools', 'gitops-check'),
  versionOf: 'sigs.k8s.io/cli-utils',
  goPackage: '.',
  overrideEnv: 'GITOPS_CHECK_BIN',
  ldflags: () => '',
  ownSources: true,
};

export interface GitopsTools {
  helm: string;
  gitopsCheck: string;
}

export async function ensureGitopsTools(log: (line: string) => void = () => undefined): Promise<GitopsTools> {
  return { gitopsCheck: await resolveGoBinary(gitopsCheck, log), helm: await resolveGoBinary(helm, log) };
}
