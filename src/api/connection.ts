import * as z from 'zod';

export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

/** Admin credentials for one PostgreSQL server, as read from a connection Secret. */
export interface ConnectionSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** The admin's database: where the operator connects and takes its advisory locks. */
  database: string;
  /** undefined: not stated in the Secret (libpq's default, prefer). */
  sslMode: SslMode | undefined;
  /** PEM CA bundle for verify-ca/verify-full (Secret key "ca.crt" or "sslrootcert"). */
  caCertificate: string | undefined;
}

const port = z.coerce.number().int().min(1).max(65535);

const keysSchema = z.object({
  host: z.string().min(1),
  port: port.default(5432),
  username: z.string().min(1),
  password: z.string().min(1),
  dbname: z.string().min(1).default('postgres'),
  sslmode: z.enum(sslModes).optional(),
});

export class ConnectionSecretError extends Error {}

function fromUri(uri: string): Record<string, string | undefined> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // Never echo the value: it holds a password.
    throw new ConnectionSecretError('key "uri" is not a valid URI');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new ConnectionSecretError('key "uri" must start with postgresql://');
  }
  if (url.hostname.includes(',')) throw new ConnectionSecretError('key "uri" names several hosts; give one');
  const dbname = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || undefined,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    dbname: dbname || undefined,
    sslmode: url.searchParams.get('sslmode') ?? undefined,
  };
}

/**
 * Reads a connection Secret's decoded data: the keys host/port/username (or user)/password/dbname/
 * sslmode when host is present, else the "uri" key. Errors name the problem, never a value.
 */
export function parseConnectionSecret(data: Readonly<Record<string, string>>): ConnectionSettings {
  const emptyToUndefined = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
  const raw =
    data.host !== undefined
      ? {
          host: data.host,
          port: emptyToUndefined(data.port),
          username: data.username ?? data.user,
          password: data.password,
          dbname: emptyToUndefined(data.dbname),
          sslmode: emptyToUndefined(data.sslmode),
        }
      : data.uri !== undefined
        ? fromUri(data.uri)
        : undefined;
  if (raw === undefined) throw new ConnectionSecretError('it has neither a "uri" key nor a "host" key');
  const parsed = keysSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    throw new ConnectionSecretError(`missing or invalid ${fields.map((field) => `"${field}"`).join(', ')}`);
  }
  const { host, port: parsedPort, username, password, dbname, sslmode } = parsed.data;
  return {
    host,
    port: parsedPort,
    username,
    password,
    database: dbname,
    sslMode: sslmode,
    caCertificate: emptyToUndefined(data['ca.crt'] ?? data.sslrootcert),
  };
}
