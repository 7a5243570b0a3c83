import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { databaseUserCrd } from '../src/api/crd.js';

export const crdFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'crds', 'dbuser.dev_databaseusers.yaml');

/** The CRD as committed in crds/: generated from src/api, never edited by hand. */
export function renderCrd(): string {
  return '# Generated from src/api by `npm run generate:crd`. Do not edit.\n' + stringify(databaseUserCrd(), { lineWidth: 0 });
}
