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

/** A decimal port, as libpq reads it: "1e3", "0x50" or " 80" are not ports. */
const port = z
  .string()
  .regex(/^[0-9]{1,5}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(65535));

/** A host name or address: no whitespace or control characters (they would only reach DNS). */
const host = z.string().regex(/^[^\s\p{Cc}]+$/u);

const keysSchema = z.object({
  host,
  port: port.default(5432),
  username: z.string().min(1),
  password: z.string().min(1),
  dbname: z.string().min(1).default('postgres'),
  sslmode: z.enum(sslModes).optional(),
});

export class ConnectionSecretError extends Error {}

/** decodeURIComponent, failing with an error that names the key, never the value. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ConnectionSecretError('key "uri" has an invalid percent-encoding');
  }
}

function fromUri(uri: string): Record<string, string | undefined> {
  // The URL parser silently drops tabs and newlines; a URI holding any is refused instead.
  if (/[\s\p{Cc}]/u.test(uri.trim())) throw new ConnectionSecretError('key "uri" contains whitespace or control characters');
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
  // The path as written, not url.pathname: the URL parser resolves dot segments, so a database named
  // "..", "." or "%2e" would become "" and then the default database (fuzzing finding uri-dot-segment-database).
  const dbname = decoded(/^[^:]*:\/\/[^/?#]*\/?([^?#]*)/.exec(uri.trim())?.[1] ?? '');
  return {
    // Percent-decoded like every other part, as libpq does: the parser keeps a non-ASCII host
    // percent-encoded (fuzzing finding uri-host-percent-encoding).
    host: decoded(url.hostname.replace(/^\[(.*)\]$/, '$1')),
    port: url.port || undefined,
    username: decoded(url.username),
    password: decoded(url.password),
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
