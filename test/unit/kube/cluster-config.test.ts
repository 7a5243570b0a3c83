import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { loadClusterAccess, loadClusterConfig } from '../../../src/kube/cluster-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'second',
      clusters: [
        { name: 'one', cluster: { server: 'https://one.example:6443' } },
        { name: 'two', cluster: { server: 'https://two.example:6443/', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64'), ...cluster } },
      ],
      users: [{ name: 'me', user }],
      contexts: [
        { name: 'first', context: { cluster: 'one', user: 'me' } },
        { name: 'second', context: { cluster: 'two', user: 'me' } },
      ],
    }),
  );
  return file;
}

describe('loadClusterConfig', () => {
  it('reads the current context: server, CA, token', async () => {
    const config = await loadClusterConfig({ KUBECONFIG: kubeconfig('token.yaml', { token: 'abc' }) });
    expect(config.server).toBe('https://two.example:6443');
    expect(config.ca?.toString()).toBe('CA PEM');
    expect(config.insecureSkipTlsVerify).toBe(false);
    expect(await config.credentials.header()).toBe('Bearer abc');
  });

  it('reads client certificates and files relative to the kubeconfig', async () => {
    writeFileSync(path.join(dir, 'client.crt'), 'CERT');
    writeFileSync(path.join(dir, 'ca.crt'), 'FILE CA');
    const config = await loadClusterConfig({
      KUBECONFIG: kubeconfig(
        'cert.yaml',
        { 'client-certificate': 'client.crt', 'client-key-data': Buffer.from('KEY').toString('base64') },
        {
          'certificate-authority-data': undefined,
          'certificate-authority': 'ca.crt',
          'tls-server-name': 'api.internal',
        },
      ),
    });
    expect(config.cert?.toString()).toBe('CERT');
    expect(config.key?.toString()).toBe('KEY');
    expect(config.ca?.toString()).toBe('FILE CA');
    expect(config.tlsServerName).toBe('api.internal');
    expect(await config.credentials.header()).toBeUndefined();
  });

  it('runs an exec credential plugin, with its env and KUBERNETES_EXEC_INFO, and caches the token', async () => {
    const plugin = path.join(dir, 'plugin.sh');
    const calls = path.join(dir, 'calls');
    writeFileSync(
      plugin,
      `#!/bin/sh\necho call >> ${calls}\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s-%s","expirationTimestamp":"2999-01-01T00:00:00Z"}}' "$GREETING" "$(echo "$KUBERNETES_EXEC_INFO" | grep -c ExecCredential)"\n`,
    );
    chmodSync(plugin, 0o755);
    const config = await loadClusterConfig({
      KUBECONFIG: kubeconfig('exec.yaml', {
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './plugin.sh', env: [{ name: 'GREETING', value: 'hi' }] },
      }),
    });
    expect(await config.credentials.header()).toBe('Bearer hi-1');
    expect(await config.credentials.header()).toBe('Bearer hi-1');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('falls back to the in-cluster ServiceAccount', async () => {
    const account = mkdtempSync(path.join(dir, 'sa-'));
    writeFileSync(path.join(account, 'token'), 'sa-token\n');
    writeFileSync(path.join(account, 'ca.crt'), 'CLUSTER CA');
    const config = await loadClusterConfig({ HOME: dir, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, account);
    expect(config.server).toBe('https://10.0.0.1:443');
    expect(config.ca?.toString()).toBe('CLUSTER CA');
    expect(await config.credentials.header()).toBe('Bearer sa-token');
  });

  it('says clearly what is wrong', async () => {
    await expect(loadClusterConfig({ KUBECONFIG: path.join(dir, 'missing') })).rejects.toThrow('no such file');
    await expect(loadClusterConfig({ HOME: dir })).rejects.toThrow('not running in a cluster');
    await expect(loadClusterConfig({ KUBECONFIG: kubeconfig('legacy.yaml', { 'auth-provider': { name: 'oidc' } }) })).rejects.toThrow(
      'auth-provider is not supported',
    );
    writeFileSync(path.join(dir, 'broken.yaml'), 'clusters: 7\n');
    await expect(loadClusterConfig({ KUBECONFIG: path.join(dir, 'broken.yaml') })).rejects.toThrow('is not valid');
  });
});

/** A kubeconfig file from parts; relative paths in it are relative to its own directory. */
function writeConfig(relative: string, config: Record<string, unknown>): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, dump({ apiVersion: 'v1', kind: 'Config', ...config }));
  return file;
}

describe('several kubeconfig files, merged as kubectl merges them', () => {
  let first = '';
  let second = '';
  beforeAll(() => {
    first = writeConfig('merge/a/config', {
      clusters: [{ name: 'shared', cluster: { server: 'https://first.example', 'certificate-authority': 'ca.pem' } }],
      users: [{ name: 'alice', user: { token: 'from-first' } }],
      contexts: [{ name: 'dev', context: { cluster: 'shared', user: 'alice', namespace: 'shop' } }],
    });
    second = writeConfig('merge/b/config', {
      'current-context': 'dev',
      clusters: [
        { name: 'shared', cluster: { server: 'https://second.example' } },
        { name: 'prod', cluster: { server: 'https://prod.example' } },
      ],
      users: [
        { name: 'alice', user: { token: 'from-second' } },
        { name: 'bob', user: { tokenFile: 'bob.token' } },
      ],
      contexts: [
        { name: 'dev', context: { cluster: 'prod', user: 'bob' } },
        { name: 'prod', context: { cluster: 'prod', user: 'bob' } },
      ],
    });
    writeFileSync(path.join(dir, 'merge/a/ca.pem'), 'CA OF A');
    writeFileSync(path.join(dir, 'merge/b/bob.token'), 'bob-token\n');
  });

  it('takes each name from the first file that defines it, and current-context from the first that sets it', async () => {
    const access = await loadClusterAccess({ KUBECONFIG: [first, second].join(path.delimiter) });
    expect(access.config.server).toBe('https://first.example');
    expect(access.config.ca?.toString()).toBe('CA OF A');
    expect(await access.config.credentials.header()).toBe('Bearer from-first');
    expect(access.namespace).toBe('shop');
  });

  it('--context picks another context; relative paths resolve against the file that defines them', async () => {
    const access = await loadClusterAccess({ KUBECONFIG: [first, second].join(path.delimiter) }, { context: 'prod' });
    expect(access.config.server).toBe('https://prod.example');
    expect(await access.config.credentials.header()).toBe('Bearer bob-token');
    expect(access.namespace).toBeUndefined();
  });

  it('skips listed files that do not exist, and the order decides', async () => {
    const access = await loadClusterAccess({ KUBECONFIG: [path.join(dir, 'absent'), second, first].join(path.delimiter) });
    expect(access.config.server).toBe('https://prod.example');
    expect(await access.config.credentials.header()).toBe('Bearer bob-token');
  });

  it('--kubeconfig reads exactly one file, ignoring KUBECONFIG', async () => {
    const access = await loadClusterAccess({ KUBECONFIG: first }, { kubeconfig: second, context: 'dev' });
    expect(access.config.server).toBe('https://prod.example');
    await expect(loadClusterAccess({ KUBECONFIG: first }, { kubeconfig: path.join(dir, 'absent') })).rejects.toThrow('--kubeconfig');
  });

  it('refuses an unknown --context, or none at all, instead of guessing', async () => {
    await expect(loadClusterAccess({ KUBECONFIG: second }, { context: 'staging' })).rejects.toThrow('context "staging" not found');
    await expect(loadClusterAccess({ KUBECONFIG: first })).rejects.toThrow('sets no current-context: choose one with --context');
  });

  it('tells an exec plugin whether it may prompt, and the cluster when asked to', async () => {
    const plugin = path.join(dir, 'merge/echo-info.sh');
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"status":{"token":"%s"}}' "$(echo "$KUBERNETES_EXEC_INFO" | base64 -w0)"\n`);
    chmodSync(plugin, 0o755);
    const file = writeConfig('merge/exec/config', {
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://exec.example' } }],
      users: [{ name: 'u', user: { exec: { command: '../echo-info.sh', provideClusterInfo: true, interactiveMode: 'IfAvailable' } } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    });
    const access = await loadClusterAccess({ KUBECONFIG: file }, { interactive: false });
    const header = (await access.config.credentials.header()) ?? '';
    const info = JSON.parse(Buffer.from(header.replace('Bearer ', ''), 'base64').toString('utf8')) as {
      spec: { interactive: boolean; cluster: { server: string } };
    };
    expect(info.spec).toEqual({ interactive: false, cluster: { server: 'https://exec.example' } });
  });

  it('shows the install hint of a plugin that is not installed', async () => {
    const file = writeConfig('merge/missing-plugin/config', {
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://exec.example' } }],
      users: [{ name: 'u', user: { exec: { command: 'no-such-credential-plugin', installHint: 'Install it with: brew install it' } } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    });
    const access = await loadClusterAccess({ KUBECONFIG: file });
    await expect(access.config.credentials.header()).rejects.toThrow(/not found\nInstall it with: brew install it/);
  });
});
