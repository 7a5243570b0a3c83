import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot } from './paths.js';

/**
 * Binaries built from Go modules pinned in tools/ (go.mod + go.sum), because no prebuilt binaries can
 * be downloaded here. They are cached outside the work tree, keyed by version and recipe, so only the
 * first run on a machine pays for the build.
 */
export interface GoBinary {
  binary: string;
  moduleDir: string;
  /** The module whose version names the cache entry. */
  versionOf: string;
  goPackage: string;
  /** Environment variable that points at an existing binary instead. */
  overrideEnv: string;
  /** Extra linker flags, derived from the pinned version. */
  ldflags: (version: string) => string;
  /** A program of this repository (not only a pinned module): its sources are part of the cache key. */
  ownSources?: boolean;
}

export function pinnedVersion(component: GoBinary): string {
  const goMod = readFileSync(path.join(component.moduleDir, 'go.mod'), 'utf8');
  const escaped = component.versionOf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${component.moduleDir}/go.mod does not pin ${component.versionOf}`);
  return match[1];
}

const buildFlags = ['-trimpath', '-pgo=off'];

/** Keyed by version and build flags (and own sources), so a changed recipe never reuses an old binary. */
function cachedPath(component: GoBinary): string {
  const version = pinnedVersion(component);
  const recipe = createHash('sha256').update(JSON.stringify([buildFlags, component.ldflags(version)]));
  if (component.ownSources) {
    for (const file of readdirSync(component.moduleDir).sort()) recipe.update(file).update(readFileSync(path.join(component.moduleDir, file)));
  }
  return path.join(cacheRoot(), 'bin', `${component.binary}-${version}-${recipe.digest('hex').slice(0, 8)}`);
}

function assertGoAvailable(component: GoBinary): void {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Building ${component.binary} needs the Go toolchain (1.26 or newer) on PATH, once per machine; ` +
        `install Go, or set ${component.overrideEnv} to an existing binary.`,
    );
  }
}

async function build(component: GoBinary, target: string, log: (line: string) => void): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  log(`building ${component.binary} ${pinnedVersion(component)} from Go modules (first run only; can take minutes)`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const ldflags = component.ldflags(pinnedVersion(component));
    const args = ['build', ...buildFlags, ...(ldflags ? ['-ldflags', ldflags] : []), '-o', partial, component.goPackage];
    const child = spawn('go', args, {
      cwd: component.moduleDir,
      env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      output.push(chunk.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`building ${component.binary} failed (go build exit ${String(code)}):\n${output.join('').slice(-4000)}`);
  }
  // rename is atomic: a concurrent run sees either no binary or a complete one.
  renameSync(partial, target);
  log(`built ${component.binary} in ${Math.round((Date.now() - started) / 1000)} s -> ${target}`);
}

/** The binary's path: the override, the cached build, or a new build. */
export async function resolveGoBinary(component: GoBinary, log: (line: string) => void): Promise<string> {
  const override = process.env[component.overrideEnv];
  if (override) {
    if (!existsSync(override)) throw new Error(`${component.overrideEnv}=${override} does not exist`);
    return override;
  }
  const target = cachedPath(component);
  if (!existsSync(target)) {
    assertGoAvailable(component);
    await build(component, target, log);
  }
  return target;
}
