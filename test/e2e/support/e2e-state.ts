import { readFileSync } from 'node:fs';

/** Written by test/e2e/run.ts, read by the tests (which run inside the node's namespaces). */
export interface E2eState {
  runDir: string;
  kubeconfigPath: string;
  kubectl: string;
  nodeAddress: string;
  operatorImage: string;
  operatorArchive: string;
  buildSettings: { npmrc: string; cafile: string | undefined };
  logsDir: string;
}

export const e2eStateEnv = 'DBUSER_E2E_STATE';

export function readE2eState(): E2eState {
  const file = process.env[e2eStateEnv];
  if (!file) throw new Error(`${e2eStateEnv} is not set: run the e2e tier with npm run test:e2e`);
  return JSON.parse(readFileSync(file, 'utf8')) as E2eState;
}
