import { execFile } from 'node:child_process';
import path from 'node:path';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { readHarnessState } from '../../harness/harness-state.js';
import { repoRoot } from '../../harness/paths.js';

export const argoHealthScript = path.join(repoRoot, 'gitops', 'argocd', 'health.lua');

export interface GitopsVerdict {
  name: string;
  /** sigs.k8s.io/cli-utils kstatus, as Flux computes it: Current, InProgress, Failed, … */
  kstatus: { status: string; message: string };
  /** gitops/argocd/health.lua run by gopher-lua, as Argo CD runs it: Healthy, Progressing, Degraded, … */
  argocd: { status: string; message: string };
}

/** What Flux (kstatus) and Argo CD (our health script) make of these objects, as read from the API server. */
export async function gitopsVerdicts(users: readonly DatabaseUser[]): Promise<Map<string, GitopsVerdict>> {
  const binary = readHarnessState().tools?.gitopsCheck;
  if (!binary) throw new Error('gitops-check was not built by the global setup');
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(binary, ['-health-lua', argoHealthScript], (error, out, err) => {
      if (error) reject(new Error(`gitops-check failed: ${err}`, { cause: error }));
      else resolve(out);
    });
    child.stdin?.end(JSON.stringify(users));
  });
  const verdicts = JSON.parse(stdout) as GitopsVerdict[];
  return new Map(verdicts.map((verdict) => [verdict.name, verdict]));
}

export async function gitopsVerdict(user: DatabaseUser): Promise<GitopsVerdict> {
  const verdict = (await gitopsVerdicts([user])).get(user.metadata.name ?? '');
  if (!verdict) throw new Error(`no verdict for ${user.metadata.name ?? '?'}`);
  return verdict;
}
