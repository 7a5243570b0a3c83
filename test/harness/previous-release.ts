import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot, repoRoot } from './paths.js';

/**
 * The release before the current line of work: the upgrade test runs its operator, converges users,
 * then switches to this build and back. Tagged in the repository; the commit is what counts (a
 * clone may lack the tag, never main's history).
 */
export const previousRelease = { version: 'v0.1.0', commit: '02bb06574c03870bb2813efe7e0fe018b3670cbf' } as const;

export interface ReleaseBuild {
  version: string;
  commit: string;
  /** Its compiled operator, run with its own node_modules. */
  mainScript: string;
}

function git(...args: string[]): string {
  return execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * The previous release's compiled operator, built once per machine from its commit (git archive,
 * npm ci, npm run build, dev dependencies pruned) and cached by version and commit, like the Go
 * binaries. Nothing of the work tree or the repository's worktree list is touched.
 */
export function ensurePreviousRelease(log: (line: string) => void = () => undefined): ReleaseBuild {
  const { version, commit } = previousRelease;
  const dir = path.join(cacheRoot(), 'releases', `${version}-${commit.slice(0, 12)}`);
  const build = { version, commit, mainScript: path.join(dir, 'dist', 'main.js') };
  if (existsSync(path.join(dir, '.complete'))) return build;
  try {
    git('cat-file', '-e', `${commit}^{commit}`);
  } catch {
    throw new Error(`the previous release ${version} (commit ${commit}) is not in this clone's history; a shallow clone? (git fetch --unshallow)`);
  }
  const started = Date.now();
  log(`building the previous release ${version} (${commit.slice(0, 12)}) for the upgrade test`);
  mkdirSync(path.dirname(dir), { recursive: true });
  const work = mkdtempSync(`${dir}.partial-`);
  try {
    const archive = path.join(work, 'source.tar');
    git('archive', '--format=tar', `--output=${archive}`, commit);
    execFileSync('tar', ['-xf', archive, '-C', work]);
    rmSync(archive);
    const npm = (...args: string[]) => execFileSync('npm', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    npm('ci', '--no-audit', '--no-fund');
    npm('run', 'build');
    npm('prune', '--omit=dev', '--no-audit', '--no-fund');
    writeFileSync(path.join(work, '.complete'), `${version} ${commit}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`building the previous release ${version} failed${stderr ? `: ${stderr.split('\n').slice(-5).join('\n')}` : ''}`, { cause: error });
  }
  log(`previous release ${version} built in ${Math.round((Date.now() - started) / 1000)} s`);
  return build;
}
