// `npm run package:plugin -- --uri <url>`: builds the krew archive of `kubectl dbuser` into dist/plugin/
// and, given the URL it will be downloaded from, the krew manifest for it (dist/plugin/dbuser.yaml).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPluginArchive, renderKrewManifest } from './plugin-package.js';

const { values } = parseArgs({ options: { uri: { type: 'string' }, out: { type: 'string', default: path.join('dist', 'plugin') } } });
mkdirSync(values.out, { recursive: true });
const archive = buildPluginArchive(path.resolve(values.out));
console.log(`${archive.file}\n  sha256 ${archive.sha256}`);
if (values.uri === undefined) {
  console.log('no --uri given: the krew manifest needs the URL the archive will be downloaded from; not written');
} else {
  const manifest = path.join(values.out, 'dbuser.yaml');
  writeFileSync(manifest, renderKrewManifest(archive, values.uri));
  console.log(`${manifest} (for krew-index)`);
}
