import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot, repoRoot } from './paths.js';

/**
 * kube-apiserver and etcd are built from Go modules pinned in tools/controlplane/ (go.mod + go.sum),
 * because no prebuilt binaries can be downloaded and there is no container engine. Binaries are cached
 * outside the work tree, keyed by version, so only the first run on a machine pays for the build.
 */
export interface Component {
  binary: string;
  moduleDir: string;
  /** The module whose version names the cache entry. */
  versionOf: string;
  goPackage: string;
  /** Environment variable that points at an existing binary instead. */
  overrideEnv: string;
  /** Extra linker flags, derived from the pinned version. */
  ldflags: (version: string) => string;
  /** Go build tags (part of the cache key when present). */
  tags?: readonly string[];
}

/** Kubernetes binaries report their version from these variables (unset: "v0.0.0-master"). */
export function kubernetesVersionFlags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const pkg = 'k8s.io/component-base/version';
  return [`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major ?? ''}`, `-X ${pkg}.gitMinor=${minor ?? ''}`, `-X ${pkg}.gitTreeState=clean`].join(
    ' ',
  );
}

export const kubernetesModule = path.join(repoRoot, 'tools', 'controlplane', 'kubernetes');

const etcd: Component = {
  binary: 'etcd',
  moduleDir: path.join(repoRoot, 'tools', 'controlplane', 'etcd'),
  versionOf: 'go.etcd.io/etcd/server/v3',
  goPackage: 'go.etcd.io/etcd/server/v3',
  overrideEnv: 'ETCD_BIN',
  ldflags: () => '',
};

const kubeApiserver: Component = {
  binary: 'kube-apiserver',
  moduleDir: kubernetesModule,
  versionOf: 'k8s.io/kubernetes',
  goPackage: 'k8s.io/kubernetes/cmd/kube-apiserver',
  overrideEnv: 'KUBE_APISERVER_BIN',
  ldflags: kubernetesVersionFlags,
};

const kubectl: Component = {
  binary: 'kubectl',
  moduleDir: kubernetesModule,
  versionOf: 'k8s.io/kubernetes',
  goPackage: 'k8s.io/kubernetes/cmd/kubectl',
  overrideEnv: 'KUBECTL_BIN',
  ldflags: kubernetesVersionFlags,
};

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  kubernetesVersion: string;
}

export function pinnedVersion(component: Component): string {
  const goMod = readFileSync(path.join(component.moduleDir, 'go.mod'), 'utf8');
  const escaped = component.versionOf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${component.moduleDir}/go.mod does not pin ${component.versionOf}`);
  return match[1];
}

const buildFlags = ['-trimpath', '-pgo=off'];

/** Keyed by version and build flags, so a changed recipe never reuses an old binary. */
function cachedPath(component: Component): string {
  const version = pinnedVersion(component);
  const recipe = createHash('sha256')
    .update(JSON.stringify([buildFlags, component.ldflags(version), ...(component.tags ? [component.tags] : [])]))
    .digest('hex')
    .slice(0, 8);
  return path.join(cacheRoot(), 'bin', `${component.binary}-${version}-${recipe}`);
}

function assertGoAvailable(): void {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'The local control plane needs the Go toolchain (1.26 or newer) on PATH to build kube-apiserver and etcd ' +
        'from source once; install Go, or set KUBE_APISERVER_BIN and ETCD_BIN to existing binaries.',
    );
  }
}

async function build(component: Component, target: string, log: (line: string) => void): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  log(`building ${component.binary} ${pinnedVersion(component)} from Go modules (first run only; several minutes)`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const ldflags = component.ldflags(pinnedVersion(component));
    const tags = component.tags?.length ? ['-tags', component.tags.join(',')] : [];
    const args = ['build', ...buildFlags, ...tags, ...(ldflags ? ['-ldflags', ldflags] : []), '-o', partial, component.goPackage];
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

export async function resolveBinary(component: Component, log: (line: string) => void): Promise<string> {
  const override = process.env[component.overrideEnv];
  if (override) {
    if (!existsSync(override)) throw new Error(`${component.overrideEnv}=${override} does not exist`);
    return override;
  }
  const target = cachedPath(component);
  if (!existsSync(target)) {
    assertGoAvailable();
    await build(component, target, log);
  }
  return target;
}

/** Returns paths to etcd, kube-apiserver and kubectl, building whichever is not cached yet. */
export async function ensureControlPlaneBinaries(log: (line: string) => void = () => undefined): Promise<ControlPlaneBinaries> {
  return {
    etcd: await resolveBinary(etcd, log),
    kubeApiserver: await resolveBinary(kubeApiserver, log),
    kubectl: await resolveBinary(kubectl, log),
    kubernetesVersion: pinnedVersion(kubeApiserver),
  };
}
