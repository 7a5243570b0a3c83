import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { databaseCrd, databaseServerCrd, databaseUserCrd } from '../src/api/crd.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each CRD's file name in crds/ and in the Helm chart's crds/ (Helm installs those as they are, without templating). */
export const crds = [
  { file: 'dbuser.dev_databaseusers.yaml', crd: databaseUserCrd },
  { file: 'dbuser.dev_databases.yaml', crd: databaseCrd },
  { file: 'dbuser.dev_databaseservers.yaml', crd: databaseServerCrd },
].map(({ file, crd }) => ({
  file: path.join(repoRoot, 'crds', file),
  chartFile: path.join(repoRoot, 'charts', 'dbuser-operator', 'crds', file),
  render: () => '# Generated from src/api by `npm run generate:crd`. Do not edit.\n' + stringify(crd(), { lineWidth: 0 }),
}));

export const crdFile = crds[0]?.file ?? '';
export const chartCrdFile = crds[0]?.chartFile ?? '';

/** The DatabaseUser CRD as committed in crds/: generated from src/api, never edited by hand. */
export function renderCrd(): string {
  return crds[0]?.render() ?? '';
}
