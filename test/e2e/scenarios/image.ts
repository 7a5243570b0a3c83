// The image the pods run: built from the Dockerfile with the host's npm settings and CA bundle
// mounted read-only; nothing of either is in any layer.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readE2eState } from '../support/e2e-state.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    const stat = lstatSync(full, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return filesUnder(full);
    return stat?.isFile() ? [full] : [];
  });
}

const sha256 = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

describe('the operator image', () => {
  let workDir: string;
  /** Every regular file of every layer, by its path inside the layer. */
  let files: { layer: number; path: string; full: string }[];

  beforeAll(() => {
    // The docker-archive imported into the node: one tar per layer, each unpacked on its own.
    workDir = mkdtempSync(path.join(tmpdir(), 'dbuser-e2e-image-'));
    execFileSync('tar', ['-xf', readE2eState().operatorArchive, '-C', workDir]);
    const [manifest] = JSON.parse(readFileSync(path.join(workDir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    files = (manifest?.Layers ?? []).flatMap((layer, index) => {
      const dir = path.join(workDir, `layer-${index}`);
      mkdirSync(dir);
      execFileSync('tar', ['-xf', path.join(workDir, layer), '-C', dir, '--no-same-owner', '--exclude=dev/*']);
      return filesUnder(dir).map((full) => ({ layer: index, path: path.relative(dir, full), full }));
    });
  }, 120_000);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('holds no npmrc, and no file whose content is the build npmrc or the CA bundle', () => {
    const { buildSettings } = readE2eState();
    expect(files.length).toBeGreaterThan(1000);
    // npm's own package ships none; a user or global npmrc anywhere, or anything in the mounted
    // directory (usr/local/etc), would be the build's.
    const configFiles = files.filter((file) => ['.npmrc', 'npmrc', 'npm-ca.crt'].includes(path.basename(file.path)) || file.path.startsWith('usr/local/etc/'));
    expect(configFiles.map((file) => file.path)).toEqual([]);
    const forbidden = new Set([sha256(buildSettings.npmrc), ...(buildSettings.cafile ? [sha256(readFileSync(buildSettings.cafile))] : [])]);
    expect(files.filter((file) => forbidden.has(sha256(readFileSync(file.full)))).map((file) => file.path)).toEqual([]);
  });

  it('carries the compiled operator and its production dependencies only', () => {
    const paths = new Set(files.map((file) => file.path));
    expect(paths.has('app/dist/main.js')).toBe(true);
    expect([...paths].some((file) => file.startsWith('app/src/'))).toBe(false);
    expect([...paths].some((file) => file.startsWith('app/node_modules/typescript/'))).toBe(false);
  });
});
