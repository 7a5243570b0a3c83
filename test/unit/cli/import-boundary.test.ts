import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../../harness/paths.js';

const src = path.join(repoRoot, 'src');
const forbiddenDirectories = ['reconcile', 'postgres', 'runtime', 'kubernetes', 'model'].map((dir) => path.join(src, dir) + path.sep);
const forbiddenFiles = ['operator.ts', 'main.ts'].map((file) => path.join(src, file));
/** Operator machinery, or too heavy for a command that should start at once. */
const forbiddenPackages = ['@kubernetes/client-node', 'undici', 'pg', 'pino', 'prom-client'];

/** Every module specifier a file loads at run time: static (and dynamic) imports, not `import type`. */
function runtimeImports(file: string, dynamic: boolean): string[] {
  const text = readFileSync(file, 'utf8');
  const statics = [...text.matchAll(/^import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? '');
  const dynamics = dynamic ? [...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] ?? '') : [];
  return [...statics, ...dynamics];
}

/** The modules kubectl dbuser can load from `entry`, following relative imports (dynamic ones too, unless told). */
function reachableFrom(entry: string, options: { dynamic: boolean } = { dynamic: true }): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeImports(file, options.dynamic)) {
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      const base = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ''));
      const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => existsSync(candidate));
      if (target === undefined) throw new Error(`${file}: cannot resolve ${specifier}`);
      visit(target);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('kubectl dbuser', () => {
  const { files, packages } = reachableFrom(path.join(src, 'cli', 'main.ts'));

  it("loads only src/api, the generic client (src/kube) and the people's workflows (src/client), never the operator", () => {
    // Two small pieces of src/runtime: the backoff arithmetic (listWatch) and the network error codes.
    const allowed = [path.join(src, 'runtime', 'backoff.ts'), path.join(src, 'runtime', 'network-error.ts')];
    const offending = [...files].filter(
      (file) => !allowed.includes(file) && (forbiddenFiles.includes(file) || forbiddenDirectories.some((dir) => file.startsWith(dir))),
    );
    expect(offending).toEqual([]);
    expect([...files].some((file) => file.endsWith(path.join('client', 'person-client.ts')))).toBe(true);
  });

  it('does not load @kubernetes/client-node or other operator dependencies', () => {
    expect([...packages].filter((name) => forbiddenPackages.some((forbidden) => name === forbidden || name.startsWith(`${forbidden}/`)))).toEqual([]);
  });
});

describe('kubectl dbuser dashboard', () => {
  const dashboard = path.join(src, 'dashboard') + path.sep;

  it('is not loaded at start, nor by the other commands', () => {
    const atStart = reachableFrom(path.join(src, 'cli', 'main.ts'), { dynamic: false }).files;
    expect([...atStart].filter((file) => file.startsWith(dashboard))).toEqual([]);
    for (const command of ['list-command.ts', 'create-command.ts', 'update-password-command.ts', 'delete-command.ts']) {
      const { files } = reachableFrom(path.join(src, 'cli', command));
      expect([...files].filter((file) => file.startsWith(dashboard))).toEqual([]);
    }
  });

  it('is loaded for its own command, without the page (a browser bundle) or the tools that build and test it', () => {
    const { files, packages } = reachableFrom(path.join(src, 'dashboard', 'dashboard-command.ts'));
    expect([...files].some((file) => file.endsWith(path.join('dashboard', 'routes.ts')))).toBe(true);
    expect([...files].filter((file) => file.startsWith(path.join(dashboard, 'page') + path.sep))).toEqual([]);
    expect([...packages].filter((name) => ['preact', 'esbuild', 'playwright-core', ...forbiddenPackages].some((heavy) => name.startsWith(heavy)))).toEqual([]);
  });

  it("bundles for the browser only the page's libraries: not SASLprep's half-megabyte tables, no Node modules", () => {
    const { files, packages } = reachableFrom(path.join(dashboard, 'page', 'main.tsx'));
    expect([...files].some((file) => file.endsWith(path.join('api', 'password-shape.ts')))).toBe(true);
    expect([...packages].filter((name) => !['preact', 'preact/hooks', 'zod'].includes(name))).toEqual([]);
  });
});
