import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { dump } from 'js-yaml';
import { loadClusterConfig } from '../../../src/kubernetes/cluster-config.js';

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
      KUBECONFIG: kubeconfig('cert.yaml', { 'client-certificate': 'client.crt', 'client-key-data': Buffer.from('KEY').toString('base64') }, {
        'certificate-authority-data': undefined,
        'certificate-authority': 'ca.crt',
        'tls-server-name': 'api.internal',
      }),
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
      KUBECONFIG: kubeconfig('exec.yaml', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './plugin.sh', env: [{ name: 'GREETING', value: 'hi' }] } }),
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
    await expect(loadClusterConfig({ KUBECONFIG: kubeconfig('legacy.yaml', { 'auth-provider': { name: 'oidc' } }) })).rejects.toThrow('auth-provider is not supported');
    writeFileSync(path.join(dir, 'broken.yaml'), 'clusters: 7\n');
    await expect(loadClusterConfig({ KUBECONFIG: path.join(dir, 'broken.yaml') })).rejects.toThrow('is not valid');
  });
});
