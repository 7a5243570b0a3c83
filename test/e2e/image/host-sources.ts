import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Debian mirror this host's apt uses for `suite`, read at run time (debootstrap needs one, and
 * the repository names no registry hosts).
 */
export function hostDebianMirror(suite: string): string {
  const dir = '/etc/apt/sources.list.d';
  const deb822 = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.sources')) : [];
  for (const file of deb822) {
    for (const stanza of readFileSync(path.join(dir, file), 'utf8').split(/\n\s*\n/)) {
      const field = (name: string): string[] => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (field('Types').includes('deb') && field('Suites').includes(suite) && field('URIs')[0]) return field('URIs')[0] ?? '';
    }
  }
  const list = existsSync('/etc/apt/sources.list') ? readFileSync('/etc/apt/sources.list', 'utf8') : '';
  const line = list.split('\n').find((entry) => new RegExp(`^deb\\s+(\\[[^\\]]*\\]\\s+)?\\S+\\s+${suite}\\s`).test(entry));
  const uri = line?.replace(/^deb\s+(\[[^\]]*\]\s+)?/, '').split(/\s+/)[0];
  if (!uri) throw new Error(`no apt source for Debian ${suite} on this host: debootstrap needs a mirror`);
  return uri;
}

export interface NpmSettings {
  /** An npmrc for the build: the registry, proxies and TLS settings this host's npm uses (cafile: see below). */
  npmrc: string;
  /** The CA bundle npm trusts here, if one is configured. */
  cafile: string | undefined;
}

function npmConfig(key: string): string | undefined {
  const value = execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
  return value === '' || value === 'null' || value === 'undefined' ? undefined : value;
}

/**
 * This host's effective npm settings (user, global and environment config), read at run time.
 * `caPathInBuild` is where the build will see the CA bundle.
 */
export function hostNpmSettings(caPathInBuild: string): NpmSettings {
  const lines: string[] = [];
  for (const key of ['registry', 'proxy', 'https-proxy', 'noproxy', 'strict-ssl']) {
    const value = npmConfig(key);
    if (value !== undefined) lines.push(`${key}=${value}`);
  }
  const cafile = npmConfig('cafile') ?? process.env.NODE_EXTRA_CA_CERTS;
  if (cafile !== undefined) lines.push(`cafile=${caPathInBuild}`);
  return { npmrc: `${lines.join('\n')}\n`, cafile };
}
