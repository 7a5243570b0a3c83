import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What `npm run local` writes in its directory (.local/ by default). */
export interface LocalPaths {
  dir: string;
  kubeconfig: string;
  /** installDeployment() writes it: the operator's ServiceAccount token (a 24h credential). */
  operatorKubeconfig: string;
  env: string;
  bin: string;
  operatorLog: string;
  /** The process id of the run that owns the directory. */
  pidFile: string;
}

export function localPaths(dir: string): LocalPaths {
  return {
    dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    operatorKubeconfig: path.join(dir, 'operator-kubeconfig'),
    env: path.join(dir, 'env'),
    bin: path.join(dir, 'bin'),
    operatorLog: path.join(dir, 'operator.log'),
    pidFile: path.join(dir, 'local.pid'),
  };
}

/** The pid of a live `npm run local` (not a reused pid of something else), or undefined. */
function liveLocalRun(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join('test', 'harness', 'local.ts')) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the directory this run's: refuses if another run still lives, else removes what an earlier
 * run left (whatever stopped it: its servers died with it, see SupervisedProcess, and its run
 * directory is swept by createRunDirectory) and returns what was removed.
 */
export function claimLocalDirectory(paths: LocalPaths): string[] {
  mkdirSync(paths.dir, { recursive: true });
  const running = liveLocalRun(paths.pidFile);
  if (running !== undefined) {
    throw new Error(`npm run local is already running here (pid ${running}): stop it with Ctrl-C in its shell (or kill ${running}) first`);
  }
  const leftovers = [paths.bin, paths.kubeconfig, paths.operatorKubeconfig, paths.env, paths.pidFile].filter((file) => existsSync(file));
  for (const file of leftovers) rmSync(file, { recursive: true, force: true });
  writeFileSync(paths.pidFile, `${process.pid}\n`);
  mkdirSync(paths.bin, { recursive: true });
  return leftovers.map((file) => path.relative(process.cwd(), file));
}

/** Removes what this run wrote for other shells (the operator's log stays for reading). */
export function releaseLocalDirectory(paths: LocalPaths): void {
  for (const file of [paths.kubeconfig, paths.operatorKubeconfig, paths.env, paths.bin]) rmSync(file, { recursive: true, force: true });
  if (existsSync(paths.pidFile) && readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) rmSync(paths.pidFile, { force: true });
}

/** A symbolic link that replaces whatever is at `link` (a previous run's link, say). */
export function linkFresh(target: string, link: string): void {
  rmSync(link, { force: true });
  symlinkSync(target, link);
}
