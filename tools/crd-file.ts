import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { databaseUserCrd } from '../src/api/crd.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const crdFile = path.join(repoRoot, 'crds', 'dbuser.dev_databaseusers.yaml');

/** The Helm chart's copy (Helm installs crds/ of a chart as is, without templating). */
export const chartCrdFile = path.join(repoRoot, 'charts', 'dbuser-operator', 'crds', 'dbuser.dev_databaseusers.yaml');

/** The CRD as committed in crds/: generated from src/api, never edited by hand. */
export function renderCrd(): string {
  return '# Generated from src/api by `npm run generate:crd`. Do not edit.\n' + stringify(databaseUserCrd(), { lineWidth: 0 });
}
