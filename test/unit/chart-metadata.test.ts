// Issue 22: the chart's Artifact Hub metadata (Chart.yaml annotations) and support window stay true to
// the repository: the CRDs it lists are crds/'s, its examples are examples/'s and valid specs, the image
// is the appVersion, and kubeVersion starts at the oldest Kubernetes the harness pins.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse, parseAllDocuments } from 'yaml';
import { databaseServerSpecSchema } from '../../src/api/database-server.js';
import { databaseUserSpecSchema } from '../../src/api/database-user.js';
import { databaseSpecSchema } from '../../src/api/database.js';
import { pinnedKubernetesMinors } from '../harness/kubernetes-version.js';
import { repoRoot } from '../harness/paths.js';

interface Chart {
  appVersion: string;
  kubeVersion: string;
  annotations: Record<string, string>;
}

const chart = parse(readFileSync(path.join(repoRoot, 'charts', 'dbuser-operator', 'Chart.yaml'), 'utf8')) as Chart;
const annotation = (name: string): unknown => parse(chart.annotations[`artifacthub.io/${name}`] ?? '');

describe('the chart for Artifact Hub', () => {
  it('lists exactly the CRDs of crds/', () => {
    const crds = readdirSync(path.join(repoRoot, 'crds'))
      .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
      .map(
        (file) =>
          parse(readFileSync(path.join(repoRoot, 'crds', file), 'utf8')) as {
            metadata: { name: string };
            spec: { names: { kind: string }; versions: { name: string }[] };
          },
      )
      .flatMap((crd) => crd.spec.versions.map((version) => ({ kind: crd.spec.names.kind, version: version.name, name: crd.metadata.name })));
    const listed = (annotation('crds') as { kind: string; version: string; name: string }[]).map(({ kind, version, name }) => ({ kind, version, name }));
    expect(listed).toEqual(crds);
  });

  it("shows examples of examples/ that the API's schema accepts", () => {
    const examples = readdirSync(path.join(repoRoot, 'examples'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) =>
        parseAllDocuments(readFileSync(path.join(repoRoot, 'examples', file), 'utf8')).map((document) => document.toJS() as { kind?: string }),
      );
    const schemas: Record<string, { safeParse: (value: unknown) => { success: boolean } }> = {
      DatabaseUser: databaseUserSpecSchema,
      Database: databaseSpecSchema,
      DatabaseServer: databaseServerSpecSchema,
    };
    const shown = annotation('crdsExamples') as { kind: string; spec: unknown }[];
    expect(shown.map((example) => example.kind)).toEqual(['DatabaseServer', 'Database', 'DatabaseUser', 'DatabaseUser']);
    for (const example of shown) {
      expect(examples).toContainEqual(example);
      expect(schemas[example.kind]?.safeParse(example.spec).success).toBe(true);
    }
  });

  it("names the appVersion's image, the package's license, and the oldest pinned Kubernetes", () => {
    expect(annotation('images')).toEqual([{ name: 'dbuser-operator', image: `dbuser-operator:${chart.appVersion}` }]);
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { license: string };
    expect(chart.annotations['artifacthub.io/license']).toBe(pkg.license);
    expect(chart.kubeVersion).toBe(`>=${pinnedKubernetesMinors()[0] ?? ''}.0-0`);
    for (const name of ['changes', 'crds', 'crdsExamples', 'images']) expect(() => annotation(name)).not.toThrow();
  });
});
