import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/harness/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where built binaries are cached across runs and clones: outside the work tree, keyed by version. */
export function cacheRoot(): string {
  const explicit = process.env.DBUSER_OPERATOR_CACHE;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(xdg, 'dbuser-operator');
}
