import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';

/**
 * How to reach and authenticate to the API server: from kubeconfig files (merged as kubectl does) or
 * from the in-cluster ServiceAccount. ADR 4 says why we read kubeconfigs ourselves rather than
 * through @kubernetes/client-node.
 */
export interface ClusterConfig {
  server: string;
  ca: Buffer | undefined;
  cert: Buffer | undefined;
  key: Buffer | undefined;
  insecureSkipTlsVerify: boolean;
  tlsServerName: string | undefined;
  credentials: AuthCredentials;
}

/** A cluster and the namespace a person's tool works in by default. */
export interface ClusterAccess {
  config: ClusterConfig;
  /** The context's namespace (or the ServiceAccount's in a pod); undefined: kubectl's "default". */
  namespace: string | undefined;
}

/** What kubectl's global flags select. */
export interface KubeconfigSelection {
  /** --kubeconfig: exactly this file; KUBECONFIG is ignored and nothing is merged. */
  kubeconfig?: string | undefined;
  /** --context: used instead of current-context. */
  context?: string | undefined;
  /** stdin is a terminal: credential plugins may prompt (client-go's interactive mode). */
  interactive?: boolean | undefined;
}

export class ClusterConfigError extends Error {}

const execSchema = z.object({
  apiVersion: z.string().default('client.authentication.k8s.io/v1'),
  command: z.string().min(1),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  installHint: z.string().nullish(),
  provideClusterInfo: z.boolean().nullish(),
  interactiveMode: z.enum(['Never', 'IfAvailable', 'Always']).nullish(),
});

const clusterSchema = z.object({
  server: z.string().min(1),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
});

const userSchema = z.object({
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  exec: execSchema.optional(),
  'auth-provider': z.unknown().optional(),
});

const contextSchema = z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() });

const entryBody = z.record(z.string(), z.unknown()).nullish();

/** One kubeconfig file; entries are checked fully only when used, as kubectl does. */
const kubeconfigFileSchema = z.object({
  'current-context': z.string().nullish(),
  clusters: z.array(z.object({ name: z.string(), cluster: entryBody })).nullish(),
  users: z.array(z.object({ name: z.string(), user: entryBody })).nullish(),
  contexts: z.array(z.object({ name: z.string(), context: entryBody })).nullish(),
});

type ExecConfig = z.output<typeof execSchema>;

const execCredentialSchema = z.object({
  status: z.object({ token: z.string().optional(), expirationTimestamp: z.string().optional() }).optional(),
});

/** What a credential plugin is told about the call (client-go's ExecCredential spec). */
interface ExecContext {
  interactive: boolean;
  /** Set when the kubeconfig asks for provideClusterInfo. */
  cluster?: Record<string, unknown>;
}

const pluginTimeoutMs = 30_000;

/**
 * Runs a credential plugin. On a terminal it may prompt (stdin and stderr are the person's) and gets
 * all the time it needs; otherwise it is stopped after 30 s. (spawn's own `timeout` option leaves its
 * timer running when the command does not exist, holding the process open.)
 */
function runPlugin(command: string, args: readonly string[], env: NodeJS.ProcessEnv, interactive: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'] });
    const timer = interactive ? undefined : setTimeout(() => child.kill('SIGKILL'), pluginTimeoutMs);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
        return;
      }
      const lastLine = Buffer.concat(stderr).toString('utf8').trim().split('\n').at(-1) ?? '';
      reject(new ClusterConfigError(`exited with ${signal ?? `code ${String(code)}`}${lastLine ? `: ${lastLine}` : ''}`));
    });
  });
}

/** Produces the Authorization header value, refreshing what expires (token files, exec plugins). */
export class AuthCredentials {
  private cached: { value: string | undefined; until: number } | undefined;

  private constructor(private readonly fetch: () => Promise<{ value: string | undefined; validMs: number }>) {}

  static none(): AuthCredentials {
    return new AuthCredentials(() => Promise.resolve({ value: undefined, validMs: Infinity }));
  }

  static token(token: string): AuthCredentials {
    return new AuthCredentials(() => Promise.resolve({ value: `Bearer ${token}`, validMs: Infinity }));
  }

  /** A token file, re-read every minute (projected ServiceAccount tokens rotate). */
  static tokenFile(file: string): AuthCredentials {
    return new AuthCredentials(async () => ({ value: `Bearer ${(await readFile(file, 'utf8')).trim()}`, validMs: 60_000 }));
  }

  /** A client-go credential plugin (EKS, GKE, AKS...): its token is cached until shortly before it expires. */
  static exec(exec: ExecConfig, baseDir: string, context: ExecContext = { interactive: false }): AuthCredentials {
    return new AuthCredentials(async () => {
      const command = exec.command.includes('/') ? path.resolve(baseDir, exec.command) : exec.command;
      const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map(({ name, value }) => [name, value])) };
      const interactive = context.interactive && exec.interactiveMode !== 'Never';
      if (exec.interactiveMode === 'Always' && !interactive)
        throw new ClusterConfigError(`credential plugin "${exec.command}" needs a terminal (interactiveMode: Always)`);
      env.KUBERNETES_EXEC_INFO = JSON.stringify({
        apiVersion: exec.apiVersion,
        kind: 'ExecCredential',
        spec: { interactive, ...(context.cluster ? { cluster: context.cluster } : {}) },
      });
      let stdout: string;
      try {
        stdout = await runPlugin(command, exec.args ?? [], env, interactive);
      } catch (error) {
        const notFound = (error as { code?: string }).code === 'ENOENT';
        const why = notFound ? 'not found' : error instanceof Error ? error.message : String(error);
        throw new ClusterConfigError(`credential plugin "${exec.command}" ${why}${notFound && exec.installHint ? `\n${exec.installHint.trim()}` : ''}`, {
          cause: error,
        });
      }
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

/** An entry of a merged kubeconfig, with the directory its relative paths are resolved against. */
interface Entry {
  value: Record<string, unknown>;
  baseDir: string;
  file: string;
}

/** Several kubeconfig files as one, by kubectl's rules: the first file to set a name or current-context wins. */
export interface MergedKubeconfig {
  files: string[];
  currentContext: string | undefined;
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
}

/** kubectl treats an empty string in a kubeconfig as unset. */
function nonEmpty(value: string | null | undefined): string | undefined {
  return value === null || value === '' ? undefined : value;
}

function describeParseError(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

async function readKubeconfigFile(file: string): Promise<z.output<typeof kubeconfigFileSchema>> {
  try {
    return kubeconfigFileSchema.parse(load(await readFile(file, 'utf8')) ?? {});
  } catch (error) {
    throw new ClusterConfigError(`kubeconfig ${file} is not valid: ${describeParseError(error)}`);
  }
}

/** Reads and merges kubeconfig files in precedence order. */
export async function mergeKubeconfigFiles(files: readonly string[]): Promise<MergedKubeconfig> {
  const merged: MergedKubeconfig = { files: [...files], currentContext: undefined, clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const parsed = await readKubeconfigFile(file);
    const baseDir = path.dirname(path.resolve(file));
    merged.currentContext ??= nonEmpty(parsed['current-context']);
    const add = (into: Map<string, Entry>, name: string, value: Record<string, unknown> | null | undefined): void => {
      if (!into.has(name)) into.set(name, { value: value ?? {}, baseDir, file });
    };
    for (const { name, cluster } of parsed.clusters ?? []) add(merged.clusters, name, cluster);
    for (const { name, user } of parsed.users ?? []) add(merged.users, name, user);
    for (const { name, context } of parsed.contexts ?? []) add(merged.contexts, name, context);
  }
  return merged;
}

async function fileOrData(baseDir: string, file: string | undefined, data: string | undefined): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFile(path.resolve(baseDir, file));
  return undefined;
}

function parseEntry<T extends z.ZodType>(schema: T, entry: Entry, what: string): z.output<T> {
  const parsed = schema.safeParse(entry.value);
  if (!parsed.success) throw new ClusterConfigError(`kubeconfig ${entry.file}: ${what} is not valid: ${describeParseError(parsed.error)}`);
  return parsed.data;
}

/** The cluster, credentials and namespace of one context of a merged kubeconfig. */
export async function resolveContext(merged: MergedKubeconfig, selection: KubeconfigSelection = {}): Promise<ClusterAccess> {
  const where = merged.files.join(path.delimiter);
  const contextName = selection.context ?? merged.currentContext;
  if (!contextName) throw new ClusterConfigError(`kubeconfig ${where} sets no current-context: choose one with --context`);
  const contextEntry = merged.contexts.get(contextName);
  if (!contextEntry) throw new ClusterConfigError(`context "${contextName}" not found in kubeconfig ${where}`);
  const context = parseEntry(contextSchema, contextEntry, `context "${contextName}"`);
  const clusterEntry = merged.clusters.get(context.cluster);
  if (!clusterEntry) throw new ClusterConfigError(`kubeconfig ${where}: context "${contextName}" names a missing cluster "${context.cluster}"`);
  const cluster = parseEntry(clusterSchema, clusterEntry, `cluster "${context.cluster}"`);
  const userEntry = context.user === undefined ? undefined : merged.users.get(context.user);
  const user = userEntry ? parseEntry(userSchema, userEntry, `user "${context.user ?? ''}"`) : {};
  if (user['auth-provider'] !== undefined) {
    throw new ClusterConfigError(`kubeconfig ${userEntry?.file ?? where}: auth-provider is not supported; use a credential plugin (exec)`);
  }
  const ca = await fileOrData(clusterEntry.baseDir, cluster['certificate-authority'], cluster['certificate-authority-data']);
  const userDir = userEntry?.baseDir ?? clusterEntry.baseDir;
  let credentials = AuthCredentials.none();
  if (user.token) credentials = AuthCredentials.token(user.token);
  else if (user.tokenFile) credentials = AuthCredentials.tokenFile(path.resolve(userDir, user.tokenFile));
  else if (user.exec) {
    const clusterInfo = {
      server: cluster.server,
      ...(ca ? { 'certificate-authority-data': ca.toString('base64') } : {}),
      ...(cluster['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
      ...(cluster['tls-server-name'] ? { 'tls-server-name': cluster['tls-server-name'] } : {}),
    };
    credentials = AuthCredentials.exec(user.exec, userDir, {
      interactive: selection.interactive ?? false,
      ...(user.exec.provideClusterInfo ? { cluster: clusterInfo } : {}),
    });
  }
  return {
    config: {
      server: cluster.server.replace(/\/$/, ''),
      ca,
      cert: await fileOrData(userDir, user['client-certificate'], user['client-certificate-data']),
      key: await fileOrData(userDir, user['client-key'], user['client-key-data']),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
      tlsServerName: cluster['tls-server-name'],
      credentials,
    },
    namespace: nonEmpty(context.namespace),
  };
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

async function inCluster(env: Readonly<Record<string, string | undefined>>, accountDir: string): Promise<ClusterAccess> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) throw new ClusterConfigError('no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a cluster');
  const namespace = await readFile(path.join(accountDir, 'namespace'), 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  return {
    config: {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      ca: await readFile(path.join(accountDir, 'ca.crt')),
      cert: undefined,
      key: undefined,
      insecureSkipTlsVerify: false,
      tlsServerName: undefined,
      credentials: AuthCredentials.tokenFile(path.join(accountDir, 'token')),
    },
    namespace,
  };
}

/**
 * kubectl's loading rules: --kubeconfig alone if given (it must exist); else the existing files of
 * the KUBECONFIG list, merged; else ~/.kube/config; else the in-cluster ServiceAccount.
 */
export async function loadClusterAccess(
  env: Readonly<Record<string, string | undefined>>,
  selection: KubeconfigSelection = {},
  accountDir = serviceAccountDir,
): Promise<ClusterAccess> {
  if (selection.kubeconfig !== undefined) {
    if (!existsSync(selection.kubeconfig)) throw new ClusterConfigError(`--kubeconfig ${selection.kubeconfig}: no such file`);
    return resolveContext(await mergeKubeconfigFiles([selection.kubeconfig]), selection);
  }
  const listed = env.KUBECONFIG ? env.KUBECONFIG.split(path.delimiter).filter((file) => file !== '') : [path.join(env.HOME ?? homedir(), '.kube', 'config')];
  const files = [...new Set(listed)].filter((file) => existsSync(file));
  if (files.length > 0) return resolveContext(await mergeKubeconfigFiles(files), selection);
  if (env.KUBECONFIG) throw new ClusterConfigError(`KUBECONFIG=${env.KUBECONFIG}: no such file`);
  return inCluster(env, accountDir);
}

/** The operator's cluster: KUBECONFIG (merged), ~/.kube/config or the in-cluster ServiceAccount. */
export async function loadClusterConfig(env: Readonly<Record<string, string | undefined>>, accountDir = serviceAccountDir): Promise<ClusterConfig> {
  return (await loadClusterAccess(env, {}, accountDir)).config;
}
