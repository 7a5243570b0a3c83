import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { destroyTree, staleTrees, type CgroupLayout } from './cgroups.js';

/**
 * What a run has made, written down before it is made: a killed runner cannot clean up, so the next
 * run reads this and removes the leftovers. Namespaces need no record (they die with their last
 * process); processes are found through the cgroup tree.
 */
export interface RunRecord {
  pid: number;
  cgroupRoot: string;
  createdCgroups: string[];
}

export const stateRoot = path.join(tmpdir(), 'dbuser-operator-e2e');
const runPrefix = 'run-';

export function runDirectoryFor(pid: number): string {
  return path.join(stateRoot, `${runPrefix}${pid}`);
}

export function writeRunRecord(runDir: string, record: RunRecord): void {
  writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(record));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes everything left by runs whose runner is dead; returns what it removed, for the log. */
export async function sweepLeftovers(layout: CgroupLayout): Promise<string[]> {
  const removed: string[] = [];
  mkdirSync(stateRoot, { recursive: true });
  for (const entry of readdirSync(stateRoot).filter((name) => name.startsWith(runPrefix))) {
    const pid = Number(entry.slice(runPrefix.length));
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const dir = path.join(stateRoot, entry);
    const recordFile = path.join(dir, 'run.json');
    if (existsSync(recordFile)) {
      const record = JSON.parse(readFileSync(recordFile, 'utf8')) as RunRecord;
      await destroyTree(layout, record.cgroupRoot, record.createdCgroups);
      removed.push(`cgroups ${record.cgroupRoot}`);
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  // A run killed between creating a cgroup and recording it.
  for (const tree of staleTrees(layout, isAlive)) {
    await destroyTree(layout, tree);
    removed.push(`cgroups ${tree}`);
  }
  return removed;
}
