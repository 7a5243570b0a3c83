import { spawn } from 'node:child_process';
import path from 'node:path';
import { cacheRoot } from '../../harness/paths.js';

export interface BuildahStorage {
  /** Images and layers, kept across runs (the base image and build cache live here). */
  root: string;
  /** Locks and mount bookkeeping: per run, so a killed run leaves nothing that looks mounted. */
  runRoot: string;
}

export function buildahStorage(runDir: string): BuildahStorage {
  return { root: path.join(cacheRoot(), 'e2e', 'buildah'), runRoot: path.join(runDir, 'buildah-run') };
}

export interface BuildahResult {
  stdout: string;
  output: string;
}

/**
 * Runs buildah in a mount namespace of its own: the overlay mounts of a build vanish with it, even
 * when this runner is killed mid-build. Storage is the test's, never the host's /var/lib/containers.
 */
export async function buildah(storage: BuildahStorage, args: readonly string[], options: { log?: (line: string) => void } = {}): Promise<BuildahResult> {
  // pdeathsig: a killed runner takes its build with it.
  const fullArgs = [
    '--pdeathsig',
    'SIGKILL',
    '--',
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    'buildah',
    `--root=${storage.root}`,
    `--runroot=${storage.runRoot}`,
    '--storage-driver=overlay',
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve({ stdout, output });
      else reject(new Error(`buildah ${args.slice(0, 2).join(' ')} failed (exit ${String(code)}):\n${output.slice(-4000)}`));
      options.log?.(`buildah ${args[0] ?? ''}: exit ${String(code)}`);
    });
  });
}

/** The value of one label of a local image, or undefined if the image is not there. */
export async function imageLabel(storage: BuildahStorage, image: string, label: string): Promise<string | undefined> {
  try {
    const { stdout } = await buildah(storage, ['inspect', '--type=image', `--format={{index .OCIv1.Config.Labels "${label}"}}`, image]);
    const value = stdout.trim();
    return value === '' || value === '<no value>' ? undefined : value;
  } catch {
    return undefined;
  }
}
