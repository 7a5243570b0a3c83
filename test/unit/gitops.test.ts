import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { apiGroup, apiVersion, kind } from '../../src/api/names.js';
import { repoRoot } from '../harness/paths.js';

// The GitOps snippets users copy. What the health script returns on real objects is proved by
// test/integration/gitops-health.test.ts; these keep the snippets in step with it and with the API.
const read = (file: string) => readFileSync(path.join(repoRoot, 'gitops', file), 'utf8');

describe('gitops/argocd/argocd-cm.yaml', () => {
  it('carries health.lua, unchanged, under the key Argo CD looks up for DatabaseUsers', () => {
    const configMap = parse(read('argocd/argocd-cm.yaml')) as { kind: string; metadata: { name: string }; data: Record<string, string> };
    expect(configMap.kind).toBe('ConfigMap');
    expect(configMap.metadata.name).toBe('argocd-cm');
    // Argo CD's key: resource.customizations.health.<group>_<kind>.
    expect(Object.keys(configMap.data)).toEqual([`resource.customizations.health.${apiGroup}_${kind}`]);
    expect(Object.values(configMap.data)[0]).toBe(read('argocd/health.lua'));
  });
});

describe('gitops/flux/kustomization.yaml', () => {
  it('waits for what it applies, and names DatabaseUsers as the API does', () => {
    const text = read('flux/kustomization.yaml');
    const kustomization = parse(text) as { spec: { wait: boolean; timeout: string } };
    expect(kustomization.spec).toMatchObject({ wait: true, timeout: expect.any(String) });
    expect(text).toContain(`apiVersion: ${apiGroup}/${apiVersion}`);
    expect(text).toContain(`kind: ${kind}`);
  });
});
