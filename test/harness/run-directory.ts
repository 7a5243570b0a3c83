import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const prefix = 'dbuser-operator-run-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes run directories left by runs that were killed before they could clean up. */
function sweepStaleRunDirectories(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
      rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

/**
 * A temporary directory for one run's servers, named after this process so a later run can remove it
 * if this one is killed. World-traversable because PostgreSQL may run as another user.
 */
export function createRunDirectory(): string {
  sweepStaleRunDirectories();
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}${process.pid}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeRunDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
