// Issue 22: the krew manifest of `kubectl dbuser` (plugins/dbuser.yaml), rendered for the archive
// `npm run package:plugin` builds, passes krew's own validate-krew-manifest (which installs it for every
// platform it selects), and `kubectl krew install` of it gives a `kubectl dbuser` that lists the
// cluster's DatabaseUsers. krew is built from its Go module by the global setup; the archive is served
// from this process on loopback, where a release would serve it from its download location.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildPluginArchive, renderKrewManifest, type PluginArchive } from '../../tools/plugin-package.js';
import { readHarnessState } from '../harness/harness-state.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

const execFileAsync = promisify(execFile);
const dir = path.join(readHarnessState().dir, `krew-${process.pid}`);
let ctx: TestContext;
let server: Server;
let archive: PluginArchive;
let manifest: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ctx = await createTestContext('krew', { startOperator: false });
  mkdirSync(dir, { recursive: true });
  archive = buildPluginArchive(dir);
  const body = readFileSync(archive.file);
  server = createServer((request, response) => {
    if (request.url === `/${path.basename(archive.file)}`) response.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  // krew names the plugin after the manifest's file name.
  manifest = path.join(dir, 'dbuser.yaml');
  writeFileSync(manifest, renderKrewManifest(archive, `http://127.0.0.1:${String(address.port)}/${path.basename(archive.file)}`));
  // What a person's PATH has: kubectl, the krew plugin, and Node 24 for kubectl-dbuser's `#!/usr/bin/env node`.
  const { cluster, tools } = readHarnessState();
  if (!tools) throw new Error('krew was not built by the global setup');
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(cluster.kubectl, path.join(bin, 'kubectl'));
  symlinkSync(tools.krew, path.join(bin, 'kubectl-krew'));
  symlinkSync(process.execPath, path.join(bin, 'node'));
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, KUBECONFIG: cluster.kubeconfigPath };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await destroyTestContext(ctx);
});

describe('the krew manifest', () => {
  it("passes krew's validate-krew-manifest, installing it for each platform", async () => {
    const validator = readHarnessState().tools?.validateKrewManifest ?? '';
    const { stdout, stderr } = await execFileAsync(validator, ['-manifest', manifest], { env });
    expect(`${stdout}${stderr}`).toContain('structural validation OK');
    expect(`${stdout}${stderr}`).toContain('all 1 spec.platforms installed fine');
  });

  it("installs with kubectl krew, and kubectl dbuser then lists the namespace's users", async () => {
    const krewRoot = path.join(dir, 'krew-root');
    const installEnv: NodeJS.ProcessEnv = { ...env, KREW_ROOT: krewRoot };
    const installed = await execFileAsync('kubectl', ['krew', 'install', `--manifest=${manifest}`], { env: installEnv });
    expect(installed.stderr).toContain('Installed plugin: dbuser');
    const username = uniqueUsername('krew');
    await ctx.kube.createUser('krew-user', { username, connection: { secretName: ctx.connectionSecret } });
    const pathWithPlugin = { ...installEnv, PATH: `${path.join(krewRoot, 'bin')}:${installEnv.PATH ?? ''}` };
    const { stdout } = await execFileAsync('kubectl', ['dbuser', 'list', '-n', ctx.namespace], { env: pathWithPlugin });
    expect(stdout).toMatch(/^\+-+\+/);
    expect(stdout).toContain(`| ${username} `);
    // krew's record of what it installed, with the manifest's version.
    expect(readFileSync(path.join(krewRoot, 'receipts', 'dbuser.yaml'), 'utf8')).toContain(`version: ${archive.version}`);
  });
});
