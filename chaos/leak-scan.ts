import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Which of `files` contain any of `patterns`, and on how many lines: grep -F matches thousands of
 * fixed strings at once (Aho-Corasick), where a loop of String.includes over a log of hundreds of
 * megabytes would take hours. The patterns file is private to the run directory and removed at
 * once; the result names files and counts, never a match.
 */
export function scanForPasswords(patterns: readonly string[], files: readonly string[], workDir: string): { files: number; leaks: string[] } {
  const existing = files.filter((file) => existsSync(file));
  const patternFile = path.join(workDir, 'leak-patterns');
  writeFileSync(patternFile, patterns.join('\n') + '\n', { mode: 0o600 });
  try {
    const leaks: string[] = [];
    for (const file of existing) {
      const grep = spawnSync('grep', ['-F', '-c', '-f', patternFile, file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
      // grep: 0 = lines matched, 1 = none, 2 = trouble.
      if (grep.status === 2) throw new Error(`grep could not scan ${file}: ${grep.stderr.trim()}`);
      const lines = Number(grep.stdout.trim());
      if (grep.status === 0 && lines > 0) leaks.push(`${file}: ${lines} line(s) hold a password from a Secret`);
    }
    return { files: existing.length, leaks };
  } finally {
    rmSync(patternFile, { force: true });
  }
}
