import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot, repoRoot } from '../../harness/paths.js';
import { buildah, imageLabel, type BuildahStorage } from './buildah.js';
import { hostNpmSettings } from './host-sources.js';

/** The name the test overlay (test/e2e/overlay) gives the Deployment's image. */
export const operatorImageName = 'localhost/dbuser-operator:e2e';
const inputsLabel = 'dev.dbuser.e2e.inputs';
/** npm's global config directory for the Node of the base image (prefix /usr/local). */
const buildConfigDir = '/usr/local/etc';

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

/** Everything the Dockerfile reads; an unchanged tree reuses the last build. */
function inputsKey(baseKey: string): string {
  // The recipe's own version: a change to how the build runs (mounts, flags) rebuilds.
  const hash = createHash('sha256').update(baseKey).update('recipe-2');
  const files = ['Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', '.dockerignore'].map((file) =>
    path.join(repoRoot, file),
  );
  for (const file of [...files.filter((file) => existsSync(file)), ...filesUnder(path.join(repoRoot, 'src'))]) {
    hash.update(path.relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface OperatorImage {
  archive: string;
  /** The npmrc and CA bundle the build saw, for the test that none of it is in the image. */
  buildSettings: { npmrc: string; cafile: string | undefined };
}

/**
 * `buildah bud` of the repository's Dockerfile, unchanged. `npm ci` inside needs this host's
 * registry settings and CA bundle: both are bind-mounted read-only for the RUN steps, so they are
 * never part of a layer (test/e2e/scenarios/image.ts checks every layer). Returns a docker-archive for containerd, cached by the build's inputs.
 */
export async function ensureOperatorArchive(storage: BuildahStorage, runDir: string, baseKey: string, log: (line: string) => void): Promise<OperatorImage> {
  const key = inputsKey(baseKey);
  const settings = hostNpmSettings(`${buildConfigDir}/npm-ca.crt`);
  const dir = path.join(cacheRoot(), 'e2e', 'images');
  const archive = path.join(dir, `operator-${key}.tar`);
  if (existsSync(archive)) return { archive, buildSettings: settings };
  if ((await imageLabel(storage, operatorImageName, inputsLabel)) !== key) {
    // npm's global config (<prefix>/etc/npmrc) and the CA, in one directory mounted over the image's
    // existing, empty /usr/local/etc: a mount point that did not exist would be left in the layer.
    const configDir = path.join(runDir, 'build-npm-config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(path.join(configDir, 'npmrc'), settings.npmrc, { mode: 0o644 });
    if (settings.cafile) copyFileSync(settings.cafile, path.join(configDir, 'npm-ca.crt'));
    const mounts = [`--volume=${configDir}:${buildConfigDir}:ro`];
    const started = Date.now();
    await buildah(storage, [
      'bud',
      '--pull=never',
      // RUN steps in a chroot with the host's network: no runtime, no cgroups, no network namespace to set up.
      '--isolation=chroot',
      '--network=host',
      `--label=${inputsLabel}=${key}`,
      ...mounts,
      `--file=${path.join(repoRoot, 'Dockerfile')}`,
      `--tag=${operatorImageName}`,
      repoRoot,
    ]);
    log(`operator image: buildah bud of the Dockerfile in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir).filter((file) => file.startsWith('operator-'))) rmSync(path.join(dir, old), { force: true });
  const partial = `${archive}.partial-${process.pid}`;
  await buildah(storage, ['push', operatorImageName, `docker-archive:${partial}:${operatorImageName}`]);
  renameSync(partial, archive);
  return { archive, buildSettings: settings };
}
