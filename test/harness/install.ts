import path from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { runKubectl } from './kubectl.js';
import { repoRoot } from './paths.js';

/** Installs what `kubectl apply -k deploy/` would, minus the Deployment: the CRD and the protection policy. */
export async function installCrdAndPolicy(controlPlane: ControlPlane): Promise<void> {
  const files = [path.join(repoRoot, 'crds'), path.join(repoRoot, 'deploy', 'protection-policy.yaml')];
  const applied = await runKubectl(controlPlane.kubectl, controlPlane.kubeconfigPath, ['apply', ...files.flatMap((file) => ['-f', file])]);
  if (applied.code !== 0) throw new Error(`installing the CRD and policy failed: ${applied.stderr}`);
  const established = await runKubectl(controlPlane.kubectl, controlPlane.kubeconfigPath, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/databaseusers.dbuser.dev',
  ]);
  if (established.code !== 0) throw new Error(`the DatabaseUser CRD did not become established: ${established.stderr}`);
}
