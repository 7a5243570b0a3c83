import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { z } from 'zod';

const execFileAsync = promisify(execFile);

/**
 * How to reach and authenticate to the API server. Read once at start-up from KUBECONFIG (or
 * ~/.kube/config), or from the in-cluster ServiceAccount; see ADR 8 for why the operator reads
 * kubeconfigs itself rather than through @kubernetes/client-node.
 */
export interface ClusterConfig {
  server: string;
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  insecureSkipTlsVerify: boolean;
  tlsServerName: string | undefined;
  credentials: Credentials;
}

export class ClusterConfigError extends Error {}

const execSchema = z.object({
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});

const kubeconfigSchema = z.object({
  'current-context': z.string().optional(),
  clusters: z.array(
    z.object({
      name: z.string(),
      cluster: z.object({
        server: z.string().min(1),
        'certificate-authority': z.string().optional(),
        'certificate-authority-data': z.string().optional(),
        'insecure-skip-tls-verify': z.boolean().optional(),
        'tls-server-name': z.string().optional(),
      }),
    }),
  ),
  users: z
    .array(
      z.object({
        name: z.string(),
        user: z
          .object({
            token: z.string().optional(),
            tokenFile: z.string().optional(),
            'client-certificate': z.string().optional(),
            'client-certificate-data': z.string().optional(),
            'client-key': z.string().optional(),
            'client-key-data': z.string().optional(),
            exec: execSchema.optional(),
            'auth-provider': z.unknown().optional(),
          })
          .nullish(),
      }),
    )
    .default([]),
  contexts: z.array(z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string().optional() }) })),
});

type ExecConfig = z.output<typeof execSchema>;

const execCredentialSchema = z.object({
  status: z.object({ token: z.string().optional(), expirationTimestamp: z.string().optional() }).optional(),
});

/** Produces the Authorization header value, refreshing what expires (token files, exec plugins). */
export class Credentials {
  private cached: { value: string | undefined; until: number } | undefined;

  private constructor(private readonly fetch: () => Promise<{ value: string | undefined; validMs: number }>) {}

  static none(): Credentials {
    return new Credentials(() => Promise.resolve({ value: undefined, validMs: Infinity }));
  }

  static token(token: string): Credentials {
    return new Credentials(() => Promise.resolve({ value: `Bearer ${token}`, validMs: Infinity }));
  }

  /** A token file, re-read every minute (projected ServiceAccount tokens rotate). */
  static tokenFile(file: string): Credentials {
    return new Credentials(async () => ({ value: `Bearer ${(await readFile(file, 'utf8')).trim()}`, validMs: 60_000 }));
  }

  /** A client-go credential plugin (EKS, GKE, AKS...): its token is cached until shortly before it expires. */
  static exec(exec: ExecConfig, baseDir: string): Credentials {
    return new Credentials(async () => {
      const command = exec.command.includes('/') ? path.resolve(baseDir, exec.command) : exec.command;
      const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map(({ name, value }) => [name, value])) };
      env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
      const { stdout } = await execFileAsync(command, exec.args ?? [], { env, timeout: 30_000 });
      const credential = execCredentialSchema.parse(JSON.parse(stdout));
      const token = credential.status?.token;
      if (!token) throw new ClusterConfigError(`credential plugin "${exec.command}" returned no token (client certificates from plugins are not supported)`);
      const expires = credential.status?.expirationTimestamp ? Date.parse(credential.status.expirationTimestamp) : Number.NaN;
      return { value: `Bearer ${token}`, validMs: Number.isNaN(expires) ? 5 * 60_000 : Math.max(0, expires - Date.now() - 30_000) };
    });
  }

  async header(): Promise<string | undefined> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.value;
    const { value, validMs } = await this.fetch();
    this.cached = { value, until: Date.now() + validMs };
    return value;
  }
}

async function fileOrData(baseDir: string, file: string | undefined, data: string | undefined): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFile(path.resolve(baseDir, file));
  return undefined;
}

async function fromKubeconfig(file: string): Promise<ClusterConfig> {
  let parsed: z.output<typeof kubeconfigSchema>;
  try {
    parsed = kubeconfigSchema.parse(load(await readFile(file, 'utf8')));
  } catch (error) {
    throw new ClusterConfigError(`kubeconfig ${file} is not valid: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const contextName = parsed['current-context'];
  const context = parsed.contexts.find((candidate) => candidate.name === contextName) ?? (contextName ? undefined : parsed.contexts[0]);
  if (!context) throw new ClusterConfigError(`kubeconfig ${file} has no context ${contextName ? `"${contextName}"` : ''}`.trim());
  const cluster = parsed.clusters.find((candidate) => candidate.name === context.context.cluster)?.cluster;
  if (!cluster) throw new ClusterConfigError(`kubeconfig ${file}: context "${context.name}" names a missing cluster`);
  const user = parsed.users.find((candidate) => candidate.name === context.context.user)?.user ?? {};
  const baseDir = path.dirname(file);
  if (user['auth-provider'] !== undefined) {
    throw new ClusterConfigError(`kubeconfig ${file}: auth-provider is not supported; use a credential plugin (exec)`);
  }
  let credentials = Credentials.none();
  if (user.token) credentials = Credentials.token(user.token);
  else if (user.tokenFile) credentials = Credentials.tokenFile(path.resolve(baseDir, user.tokenFile));
  else if (user.exec) credentials = Credentials.exec(user.exec, baseDir);
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: await fileOrData(baseDir, cluster['certificate-authority'], cluster['certificate-authority-data']),
    cert: await fileOrData(baseDir, user['client-certificate'], user['client-certificate-data']),
    key: await fileOrData(baseDir, user['client-key'], user['client-key-data']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
    tlsServerName: cluster['tls-server-name'],
    credentials,
  };
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

async function inCluster(env: Readonly<Record<string, string | undefined>>, accountDir: string): Promise<ClusterConfig> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new ClusterConfigError('no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: await readFile(path.join(accountDir, 'ca.crt')),
    cert: undefined,
    key: undefined,
    insecureSkipTlsVerify: false,
    tlsServerName: undefined,
    credentials: Credentials.tokenFile(path.join(accountDir, 'token')),
  };
}

/**
 * The first of: KUBECONFIG (its first existing file), ~/.kube/config, the in-cluster ServiceAccount
 * (the order kubectl and client-go use, without merging several kubeconfig files).
 */
export async function loadClusterConfig(env: Readonly<Record<string, string | undefined>>, accountDir = serviceAccountDir): Promise<ClusterConfig> {
  const candidates = env.KUBECONFIG ? env.KUBECONFIG.split(path.delimiter).filter((file) => file !== '') : [path.join(env.HOME ?? homedir(), '.kube', 'config')];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (file) return fromKubeconfig(file);
  if (env.KUBECONFIG) throw new ClusterConfigError(`KUBECONFIG=${env.KUBECONFIG}: no such file`);
  return inCluster(env, accountDir);
}
