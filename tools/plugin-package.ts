import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = path.join(repoRoot, 'node_modules', '.bin', 'esbuild');

export interface PluginArchive {
  file: string;
  version: string;
  sha256: string;
}

/** The plugin's version: the package's, as krew wants it (v-prefixed semver). */
export function pluginVersion(): string {
  return `v${(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}`;
}

/**
 * The archive krew installs: kubectl-dbuser (the command line bundled into one file by esbuild, so it
 * needs nothing but Node 24), a package.json that makes Node read it as an ES module, the dashboard's
 * page in assets/ (where the bundle looks for it, beside itself) and the LICENSE, in a tar.gz whose
 * bytes depend only on those files.
 */
export function buildPluginArchive(outDir: string): PluginArchive {
  const version = pluginVersion();
  const staging = path.join(outDir, 'kubectl-dbuser');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.join(staging, 'assets'), { recursive: true });
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  run(esbuild, [
    'src/cli/main.ts',
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node24',
    '--log-level=warning',
    '--legal-comments=none',
    // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
    "--banner:js=import { createRequire as __dbuserRequire } from 'node:module'; const require = __dbuserRequire(import.meta.url);",
    `--outfile=${path.join(staging, 'kubectl-dbuser')}`,
  ]);
  chmodSync(path.join(staging, 'kubectl-dbuser'), 0o755);
  run('npm', ['run', '--silent', 'build:page']);
  cpSync(path.join(repoRoot, 'dist', 'dashboard', 'assets'), path.join(staging, 'assets'), { recursive: true });
  writeFileSync(
    path.join(staging, 'package.json'),
    `${JSON.stringify({ name: 'kubectl-dbuser', version: version.slice(1), type: 'module', private: true }, null, 2)}\n`,
  );
  cpSync(path.join(repoRoot, 'LICENSE'), path.join(staging, 'LICENSE'));
  const file = path.join(outDir, `kubectl-dbuser-${version}.tar.gz`);
  // Reproducible: sorted names, fixed owner and time, gzip without a timestamp.
  execFileSync('sh', ['-c', 'tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - -C "$1" . | gzip -n -9 > "$2"', 'tar', staging, file]);
  rmSync(staging, { recursive: true, force: true });
  return { file, version, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}

/** plugins/dbuser.yaml with the archive's version, download location and checksum filled in. */
export function renderKrewManifest(archive: PluginArchive, uri: string): string {
  const template = readFileSync(path.join(repoRoot, 'plugins', 'dbuser.yaml'), 'utf8');
  const rendered = template.replaceAll('{{VERSION}}', archive.version).replaceAll('{{URI}}', uri).replaceAll('{{SHA256}}', archive.sha256);
  const left = /\{\{[A-Z0-9]+\}\}/.exec(rendered);
  if (left) throw new Error(`plugins/dbuser.yaml has a placeholder this renderer does not know: ${left[0]}`);
  return rendered;
}
