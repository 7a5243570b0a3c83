import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/**
 * Which Kubernetes the harness builds and starts: KUBE_VERSION=<major.minor>, one of the releases
 * pinned in tools/controlplane/kubernetes-<major.minor>/ (the support window), 1.36 by default.
 */
export const defaultKubernetesMinor = '1.36';

const controlPlaneTools = path.join(repoRoot, 'tools', 'controlplane');

/** The minors pinned under tools/controlplane/, oldest first. */
export function pinnedKubernetesMinors(): string[] {
  return readdirSync(controlPlaneTools)
    .flatMap((entry) => /^kubernetes-(\d+\.\d+)$/.exec(entry)?.slice(1) ?? [])
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/** The selected minor (KUBE_VERSION, or the default); a clear error for one that is not pinned. */
export function selectedKubernetesMinor(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.KUBE_VERSION?.trim().replace(/^v/, '');
  const requested = given === undefined || given === '' ? defaultKubernetesMinor : given;
  const minor = /^(\d+\.\d+)(?:\.\d+)?$/.exec(requested)?.[1];
  if (minor === undefined || !pinnedKubernetesMinors().includes(minor)) {
    throw new Error(
      `KUBE_VERSION=${requested}: not a pinned Kubernetes release; pinned: ${pinnedKubernetesMinors().join(', ')} (tools/controlplane/kubernetes-*/)`,
    );
  }
  return minor;
}

/** The Go module that pins kube-apiserver and kubectl of one minor. */
export function kubernetesModuleOf(minor: string): string {
  const dir = path.join(controlPlaneTools, `kubernetes-${minor}`);
  if (!existsSync(path.join(dir, 'go.mod'))) throw new Error(`${dir}/go.mod does not exist`);
  return dir;
}
