import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// The layer direction is enforced by eslint.config.js; this proves the rule bites where it should
// and stays quiet where an import goes the right way.
// The probe files do not exist, so they are linted without type information.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function restrictedImports(filePath: string, importLine: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nexport type Probe = typeof probe;\n`, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layer rules', () => {
  it.each([
    // The core knows no adapter.
    ['src/model/probe.ts', "import { probe } from '../postgres/statements.js';"],
    ['src/model/probe.ts', "import { probe } from 'pg';"],
    ['src/model/probe.ts', "import { probe } from '../runtime/logger.js';"],
    ['src/model/probe.ts', "import { probe } from '../kube/kube-client.js';"],
    ['src/api/probe.ts', "import { probe } from '../model/plan.js';"],
    ['src/reconcile/decide.ts', "import { probe } from '../kubernetes/credentials-secret.js';"],
    ['src/reconcile/decide.ts', "import { probe } from '../postgres/errors.js';"],
    ['src/reconcile/deletion.ts', "import { probe } from '../runtime/logger.js';"],
    ['src/reconcile/probe.ts', "import { probe } from '../kubernetes/cluster-cache.js';"],
    ['src/reconcile/probe.ts', "import { probe } from '../postgres/pools.js';"],
    ['src/reconcile/probe.ts', "import { probe } from '../operator.js';"],
    // Adapters implement the ports and keep to their own side.
    ['src/postgres/probe.ts', "import { probe } from '../reconcile/decide.js';"],
    ['src/postgres/probe.ts', "import { probe } from '../kubernetes/operator-api.js';"],
    ['src/kubernetes/probe.ts', "import { probe } from '../reconcile/decide.js';"],
    ['src/kubernetes/probe.ts', "import { probe } from '../postgres/errors.js';"],
    ['src/kube/probe.ts', "import { probe } from '../kubernetes/informer.js';"],
    ['src/kube/probe.ts', "import { probe } from '../runtime/logger.js';"],
    // The people's tools: the workflows' room, and two front ends that do not import each other.
    ['src/client/probe.ts', "import { probe } from '../cli/arguments.js';"],
    ['src/client/probe.ts', "import { probe } from '../kubernetes/cluster-cache.js';"],
    ['src/cli/probe.ts', "import { probe } from '../kubernetes/cluster-cache.js';"],
    ['src/cli/probe.ts', "import { probe } from '@kubernetes/client-node';"],
    ['src/cli/probe.ts', "import { probe } from '../dashboard/routes.js';"],
    ['src/cli/probe.ts', "import { probe } from '../runtime/logger.js';"],
    ['src/api/probe.ts', "import { probe } from '../dashboard/wire.js';"],
    ['src/dashboard/probe.ts', "import { probe } from '../cli/arguments.js';"],
    ['src/dashboard/probe.ts', "import { probe } from '../reconcile/decide.js';"],
    ['src/dashboard/probe.ts', "import { probe } from '../kubernetes/cluster-cache.js';"],
    ['src/dashboard/probe.ts', "import { probe } from 'pg';"],
    ['src/dashboard/page/probe.ts', "import { probe } from 'node:fs';"],
    ['src/dashboard/page/probe.ts', "import { probe } from '../../kube/kube-client.js';"],
    ['src/dashboard/page/probe.tsx', "import { probe } from '../routes.js';"],
  ])('%s: %s is refused', async (filePath, importLine) => {
    expect(await restrictedImports(filePath, importLine)).toHaveLength(1);
  });

  it.each([
    ['src/model/probe.ts', "import { probe } from '../api/database-user.js';"],
    ['src/reconcile/decide.ts', "import { probe } from '../model/plan.js';"],
    ['src/reconcile/decide.ts', "import { probe } from './password-decision.js';"],
    ['src/reconcile/probe.ts', "import { probe } from '../postgres/errors.js';"],
    ['src/reconcile/probe.ts', "import { probe } from '../kube/api-error.js';"],
    ['src/postgres/probe.ts', "import { probe } from '../model/plan.js';"],
    ['src/postgres/probe.ts', "import { probe } from '../reconcile/ports.js';"],
    ['src/kubernetes/probe.ts', "import { probe } from '../reconcile/ports.js';"],
    ['src/kubernetes/probe.ts', "import { probe } from '../kube/list-watch.js';"],
    ['src/kubernetes/probe.ts', "import { probe } from '../model/credentials.js';"],
    ['src/kube/probe.ts', "import { probe } from '../runtime/backoff.js';"],
    ['src/client/probe.ts', "import { probe } from '../kube/list-watch.js';"],
    ['src/cli/probe.ts', "import { probe } from '../client/create-user.js';"],
    ['src/cli/probe.ts', "import { probe } from '../kube/kube-client.js';"],
    ['src/dashboard/probe.ts', "import { probe } from '../client/person-client.js';"],
    ['src/dashboard/probe.ts', "import { probe } from '../runtime/network-error.js';"],
    ['src/dashboard/page/probe.tsx', "import { probe } from '../../api/database-user.js';"],
    ['src/dashboard/page/probe.tsx', "import { probe } from '../wire.js';"],
  ])('%s: %s is allowed', async (filePath, importLine) => {
    expect(await restrictedImports(filePath, importLine)).toEqual([]);
  });
});
