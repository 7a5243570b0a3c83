import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseTimerDuration } from '../api/duration.js';
import { LabelSelectorSyntaxError, parseLabelSelector, type LabelSelector } from '../api/label-selector.js';
import { shardKeyLabel } from '../api/names.js';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, context) => {
      const ms = parseTimerDuration(text);
      if (ms === undefined) {
        context.addIssue({ code: 'custom', message: `expected a duration such as 30s, 10m or 1h (1ms to 596h), got "${text}"` });
        return z.NEVER;
      }
      return ms;
    });

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => ['true', '1', 'yes'].includes(value));

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, context) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < min || value > max) {
        context.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}, got "${text}"` });
        return z.NEVER;
      }
      return value;
    });

const list = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

/** Every setting, by its environment variable name; `--flag-name=value` on the command line overrides. */
const configSchema = z
  .object({
    WATCH_NAMESPACES: list,
    OPERATOR_NAMESPACE: z.string().min(1).default('dbuser-system'),
    DEFAULT_CONNECTION_SECRET: z.string().optional(),
    SERVER_SELECTOR: z.string().max(1024).optional(),
    WATCH_LABEL_SELECTOR: z
      .string()
      .max(1024)
      .optional()
      .transform((text, context) => {
        if (text === undefined || text.trim() === '') return undefined;
        try {
          return { text: text.trim(), selector: parseLabelSelector(text) };
        } catch (error) {
          if (!(error instanceof LabelSelectorSyntaxError)) throw error;
          context.addIssue({ code: 'custom', message: `not a label selector: ${error.message}` });
          return z.NEVER;
        }
      }),
    RECONCILE_SERVERS: z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).optional(),
    SEAL_SECRET: z.string().min(1).default('dbuser-operator-seal'),
    RESYNC_INTERVAL: duration('10m'),
    WORKERS: z
      .string()
      .default('8')
      .transform((text, context) => {
        if (text === 'auto') return 'auto' as const;
        const value = Number(text);
        if (!Number.isInteger(value) || value < 1 || value > 256) {
          context.addIssue({ code: 'custom', message: `expected a whole number from 1 to 256 or "auto", got "${text}"` });
          return z.NEVER;
        }
        return value;
      }),
    WORKERS_MAX: integer(32, 2, 256),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HTTP_PORT: integer(8080, 0, 65535),
    LEADER_ELECT: boolean(true),
    LEASE_NAME: z.string().min(1).optional(),
    LEASE_DURATION: duration('15s'),
    LEASE_RENEW_DEADLINE: duration('10s'),
    LEASE_RETRY_PERIOD: duration('2s'),
    SHUTDOWN_TIMEOUT: duration('20s'),
    PG_LOCK_TIMEOUT: duration('5s'),
    PG_STATEMENT_TIMEOUT: duration('30s'),
    PG_CONNECT_TIMEOUT: duration('5s'),
    // At least 3: one reconcile nests three connections to a server (postgres/connection-bound.ts).
    PG_MAX_CONNECTIONS_PER_SERVER: integer(10, 3, 10_000),
    PG_CONNECTION_WAIT: duration('10s'),
    PG_IDLE_TIMEOUT: duration('30s'),
    RETRY_BACKOFF_MAX: duration('30s'),
    MIN_PASSWORD_ROTATION: duration('1h'),
    PER_USER_METRICS: boolean(false),
    POD_NAME: z.string().optional(),
  })
  .superRefine((config, context) => {
    if (config.LEASE_RENEW_DEADLINE >= config.LEASE_DURATION) {
      context.addIssue({ code: 'custom', path: ['LEASE_RENEW_DEADLINE'], message: 'must be shorter than LEASE_DURATION' });
    }
    if (config.LEASE_RETRY_PERIOD >= config.LEASE_RENEW_DEADLINE) {
      context.addIssue({ code: 'custom', path: ['LEASE_RETRY_PERIOD'], message: 'must be shorter than LEASE_RENEW_DEADLINE' });
    }
  });

export interface OperatorConfig {
  /** Empty: every namespace. */
  watchNamespaces: string[];
  operatorNamespace: string;
  defaultConnection: { namespace: string; name: string } | undefined;
  /** A label selector: the DatabaseServers this operator manages (undefined: all), when several operators share a cluster. */
  serverSelector: string | undefined;
  /**
   * The shard this instance reconciles (ADR 25): the DatabaseUsers and Databases whose labels match
   * (undefined: all), e.g. `sharding.fluxcd.io/key in (shard1)`, or `!sharding.fluxcd.io/key` for the
   * instance that takes the objects without the label.
   */
  watchLabelSelector: { text: string; selector: LabelSelector } | undefined;
  /** Whether this instance writes DatabaseServers' status and in-use finalizer: exactly one instance per cluster may. */
  reconcileServers: boolean;
  /** The Secret, in the operator's namespace, holding the key that seals credentials (created if absent). */
  sealSecret: string;
  resyncIntervalMs: number;
  /** Concurrent reconciles: a fixed number, or a limit that follows the measured latency (ADR 29). */
  workers: number | 'auto';
  /** The most concurrent reconciles `auto` may reach. */
  workersMax: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  httpPort: number;
  leaderElection: { enabled: boolean; leaseName: string; leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
  identity: string;
  shutdownTimeoutMs: number;
  postgres: {
    lockTimeoutMs: number;
    statementTimeoutMs: number;
    connectTimeoutMs: number;
    /** Connections to one server (host and port) at most, whatever the databases (ADR 24). */
    maxConnectionsPerServer: number;
    /** How long a reconcile waits for a free connection before it fails and is retried. */
    connectionWaitMs: number;
    /** An idle connection is closed after this long. */
    idleTimeoutMs: number;
  };
  retryBackoffMaxMs: number;
  /** The shortest spec.passwordRotation.every accepted (tests lower it). */
  minPasswordRotationMs: number;
  /** One metric series per DatabaseUser for password age and rotation (off: histograms only). */
  perUserMetrics: boolean;
}

export class ConfigError extends Error {}

/** `--resync-interval=1m` -> RESYNC_INTERVAL=1m */
function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z][a-z0-9-]*)=(.*)$/.exec(arg);
    if (!match?.[1]) throw new ConfigError(`unrecognised argument "${arg}" (use --name=value)`);
    values[match[1].toUpperCase().replaceAll('-', '_')] = match[2] ?? '';
  }
  return values;
}

/** Reads the configuration once, at start-up. A bad value is one clear line, naming the setting. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[], hostname: string): OperatorConfig {
  const raw = { ...env, ...flagsToEnv(argv) };
  const known = Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, raw[key] === '' ? undefined : raw[key]]));
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path.join('.') ?? 'configuration';
    throw new ConfigError(`${setting}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  const shard = c.WATCH_LABEL_SELECTOR;
  let defaultConnection: OperatorConfig['defaultConnection'];
  if (c.DEFAULT_CONNECTION_SECRET) {
    const [first, second] = c.DEFAULT_CONNECTION_SECRET.split('/');
    defaultConnection = second === undefined ? { namespace: c.OPERATOR_NAMESPACE, name: first ?? '' } : { namespace: first ?? '', name: second };
  }
  return {
    watchNamespaces: c.WATCH_NAMESPACES,
    operatorNamespace: c.OPERATOR_NAMESPACE,
    defaultConnection,
    serverSelector: c.SERVER_SELECTOR,
    watchLabelSelector: shard,
    reconcileServers: c.RECONCILE_SERVERS === undefined ? takesUnlabelled(shard?.selector) : ['true', '1', 'yes'].includes(c.RECONCILE_SERVERS),
    sealSecret: c.SEAL_SECRET,
    resyncIntervalMs: c.RESYNC_INTERVAL,
    workers: c.WORKERS,
    workersMax: c.WORKERS_MAX,
    logLevel: c.LOG_LEVEL,
    httpPort: c.HTTP_PORT,
    leaderElection: {
      enabled: c.LEADER_ELECT,
      leaseName: c.LEASE_NAME ?? defaultLeaseName(shard?.text),
      leaseDurationMs: c.LEASE_DURATION,
      renewDeadlineMs: c.LEASE_RENEW_DEADLINE,
      retryPeriodMs: c.LEASE_RETRY_PERIOD,
    },
    identity: c.POD_NAME ?? `${hostname}-${process.pid}`,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT,
    postgres: {
      lockTimeoutMs: c.PG_LOCK_TIMEOUT,
      statementTimeoutMs: c.PG_STATEMENT_TIMEOUT,
      connectTimeoutMs: c.PG_CONNECT_TIMEOUT,
      maxConnectionsPerServer: c.PG_MAX_CONNECTIONS_PER_SERVER,
      connectionWaitMs: c.PG_CONNECTION_WAIT,
      idleTimeoutMs: c.PG_IDLE_TIMEOUT,
    },
    retryBackoffMaxMs: c.RETRY_BACKOFF_MAX,
    minPasswordRotationMs: c.MIN_PASSWORD_ROTATION,
    perUserMetrics: c.PER_USER_METRICS,
  };
}

/**
 * One Lease per shard, as Flux derives its leader election ID from the selector: the replicas of one
 * shard share it, two shards never do. Without a selector, the name it always had.
 */
export function defaultLeaseName(watchLabelSelector: string | undefined): string {
  if (watchLabelSelector === undefined) return 'dbuser-operator';
  return `dbuser-operator-${createHash('sha256').update(watchLabelSelector).digest('hex').slice(0, 10)}`;
}

/** The instance without a selector, or the one taking the objects without a shard key (`!sharding.fluxcd.io/key`). */
function takesUnlabelled(selector: LabelSelector | undefined): boolean {
  if (selector === undefined) return true;
  return (selector.matchExpressions ?? []).some((requirement) => requirement.key === shardKeyLabel && requirement.operator === 'DoesNotExist');
}
