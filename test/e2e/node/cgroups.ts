import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The node's cgroups: one subtree per run, `<base>/dbuser-e2e-<pid>`, in every mounted hierarchy.
 * containerd, kubelet and the rest join `<tree>/node`; kubelet's cgroupRoot is the tree, so every pod
 * lands under it too. Teardown kills whatever is inside and removes the directories, and a later run
 * recognises a tree whose runner is dead by the pid in its name.
 *
 * The base is the runner's own memory cgroup, so memory spent by the node is accounted where the
 * runner's is (this host puts each session in a memory cgroup of its own).
 */
export interface CgroupLayout {
  /** Mount points of the hierarchies, v1 controllers and the v2 (unified) one. */
  hierarchies: string[];
  /** The v2 hierarchy, whose cgroup.kill stops a whole subtree at once. */
  unified: string | undefined;
  /** v1 controllers are mounted: kubelet needs failCgroupV1=false. */
  v1: boolean;
  base: string;
}

export function detectCgroupLayout(): CgroupLayout {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => {
      const type = fields[fields.indexOf('-') + 1];
      return type === 'cgroup' || type === 'cgroup2';
    });
  const hierarchies = mounts.map((fields) => fields[4] ?? '').filter((mountPoint) => mountPoint !== '');
  const unifiedFields = mounts.find((fields) => fields[fields.indexOf('-') + 1] === 'cgroup2');
  const v1 = mounts.some((fields) => fields[fields.indexOf('-') + 1] === 'cgroup');
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const memory = own.find((line) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(line));
  const unifiedLine = own.find((line) => line.startsWith('0::'));
  const base = (v1 ? memory?.split(':')[2] : unifiedLine?.slice(3)) ?? '/';
  return { hierarchies, unified: unifiedFields?.[4], v1, base };
}

export const treePrefix = 'dbuser-e2e-';

export class CgroupTree {
  /** Directories this run created (parents included), in creation order. */
  readonly created: string[] = [];

  constructor(
    readonly layout: CgroupLayout,
    readonly root: string,
  ) {}

  static forRun(layout: CgroupLayout, runnerPid: number): CgroupTree {
    return new CgroupTree(layout, path.posix.join(layout.base, `${treePrefix}${runnerPid}`));
  }

  get nodeGroup(): string {
    return path.posix.join(this.root, 'node');
  }

  /** The cgroup.procs files a process writes itself into to join the node's group. */
  get nodeProcsFiles(): string[] {
    return this.layout.hierarchies.map((hierarchy) => path.join(hierarchy, this.nodeGroup, 'cgroup.procs'));
  }

  create(record: (dirs: string[]) => void): void {
    for (const hierarchy of this.layout.hierarchies) {
      let current = hierarchy;
      for (const part of this.nodeGroup.split('/').filter(Boolean)) {
        const parent = current;
        current = path.join(current, part);
        if (existsSync(current)) continue;
        mkdirSync(current);
        this.created.push(current);
        record(this.created);
        // A new v1 cpuset cgroup has no CPUs or memory nodes: nothing could join it.
        if (existsSync(path.join(current, 'cpuset.cpus'))) {
          writeFileSync(path.join(current, 'cpuset.cpus'), readFileSync(path.join(parent, 'cpuset.cpus')));
          writeFileSync(path.join(current, 'cpuset.mems'), readFileSync(path.join(parent, 'cpuset.mems')));
        }
      }
    }
  }

  /** Kills every process in the tree (pods, shims, the node's servers) and removes its cgroups. */
  async destroy(): Promise<void> {
    await destroyTree(this.layout, this.root, this.created);
  }
}

function subtreeDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir).filter((entry) => statSync(path.join(dir, entry), { throwIfNoEntry: false })?.isDirectory() === true);
  return [...children.flatMap((child) => subtreeDirs(path.join(dir, child))), dir];
}

function processesIn(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export async function destroyTree(layout: CgroupLayout, root: string, createdParents: readonly string[] = []): Promise<void> {
  if (layout.unified !== undefined) {
    const kill = path.join(layout.unified, root, 'cgroup.kill');
    if (existsSync(kill)) writeFileSync(kill, '1');
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const remaining = layout.hierarchies.flatMap((hierarchy) => subtreeDirs(path.join(hierarchy, root)).flatMap(processesIn));
    if (remaining.length === 0) break;
    for (const pid of new Set(remaining)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sleep(100);
  }
  // Deepest first; a cgroup is removed with rmdir once it holds no process.
  for (const hierarchy of layout.hierarchies) {
    for (const dir of subtreeDirs(path.join(hierarchy, root))) removeCgroup(dir);
  }
  for (const dir of [...createdParents].reverse()) removeCgroup(dir);
}

function removeCgroup(dir: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY') return;
      if (code !== 'EBUSY') throw error;
      // A process just killed may take a moment to leave.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

/** Trees of runs whose runner is no longer alive, in any hierarchy (a killed run leaves these). */
export function staleTrees(layout: CgroupLayout, isAlive: (pid: number) => boolean): string[] {
  const found = new Set<string>();
  for (const hierarchy of layout.hierarchies) {
    const dir = path.join(hierarchy, layout.base);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      if (!entry.startsWith(treePrefix)) continue;
      const pid = Number(entry.slice(treePrefix.length));
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) found.add(path.posix.join(layout.base, entry));
    }
  }
  return [...found];
}
