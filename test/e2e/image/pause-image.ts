import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, repoRoot } from '../../harness/paths.js';
import { pauseImage } from '../node/node-config.js';
import { buildah, type BuildahStorage } from './buildah.js';

const execFileAsync = promisify(execFile);
const source = path.join(repoRoot, 'tools', 'controlplane', 'pause');

/**
 * The pod sandbox image kubelet asks for cannot be pulled: a static pause binary built from
 * tools/controlplane/pause, in an image of its own, tagged with the name containerd is configured to use.
 * Returns a docker-archive for `ctr images import`, cached by the source's hash.
 */
export async function ensurePauseArchive(storage: BuildahStorage): Promise<string> {
  const key = createHash('sha256')
    .update(readFileSync(path.join(source, 'main.go')))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(cacheRoot(), 'e2e', 'images');
  const archive = path.join(dir, `pause-${key}.tar`);
  if (existsSync(archive)) return archive;
  mkdirSync(dir, { recursive: true });
  const binary = path.join(dir, `pause-${key}.bin`);
  await execFileAsync('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: source, env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' } });
  const container = (await buildah(storage, ['from', '--pull=never', 'scratch'])).stdout.trim();
  try {
    await buildah(storage, ['copy', '--chmod=0755', container, binary, '/pause']);
    await buildah(storage, ['config', '--entrypoint=["/pause"]', '--cmd=', container]);
    await buildah(storage, ['commit', '--rm', container, pauseImage]);
  } catch (error) {
    await buildah(storage, ['rm', container]).catch(() => undefined);
    throw error;
  }
  const partial = `${archive}.partial-${process.pid}`;
  await buildah(storage, ['push', pauseImage, `docker-archive:${partial}:${pauseImage}`]);
  renameSync(partial, archive);
  return archive;
}
