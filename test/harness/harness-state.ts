import { readFileSync } from 'node:fs';
import type { ClusterAccess } from './control-plane.js';
import type { GitopsTools } from './gitops-tools.js';
import type { OperatorIdentity } from './install.js';
import type { OperationsTools } from './operations-tools.js';
import type { PostgresEndpoint } from './postgres-server.js';
import type { ReleaseBuild } from './previous-release.js';

/** Written by the jest global setup, read by test files (which run in other processes). */
export interface HarnessState {
  dir: string;
  cluster: ClusterAccess;
  /** How operators under test authenticate: the ServiceAccount of deploy/. */
  operator: OperatorIdentity;
  postgres: PostgresEndpoint;
  /**
   * helm, gitops-check, promtool, kube-state-metrics and krew, built before any test starts so no test
   * competes with a Go build (not in the benchmark).
   */
  tools?: GitopsTools & OperationsTools;
  /** The previous release's build, for the upgrade test (not in the benchmark). */
  previousRelease?: ReleaseBuild;
}

export const harnessStateEnv = 'DBUSER_HARNESS_STATE';

export function readHarnessState(): HarnessState {
  const file = process.env[harnessStateEnv];
  if (!file) throw new Error(`${harnessStateEnv} is not set: integration tests must run under the jest global setup`);
  return JSON.parse(readFileSync(file, 'utf8')) as HarnessState;
}
