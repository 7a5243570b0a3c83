import { createHash } from 'node:crypto';
import type { SslMode } from '../api/connection.js';
import type { PasswordChangeRecord } from '../api/database-user.js';
import { managedByValue } from '../api/names.js';

/** What a credentials Secret says: enough to log in, and to write it again unchanged. */
export interface Credentials {
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
  sslMode: SslMode | undefined;
}

/** The keys of the credentials Secret, in the order they are compared. */
export const credentialKeys = ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass', 'type', 'provider'] as const;
export type CredentialKey = (typeof credentialKeys)[number];

function uriHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** .pgpass fields escape backslash and colon. */
function pgpassField(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

/**
 * The Secret's keys: those CloudNativePG and Crunchy PGO write, plus type/provider from the Service
 * Binding spec, so existing application manifests work unchanged.
 */
export function credentialsData(credentials: Credentials): Record<CredentialKey, string> {
  const { username, password, host, port, database, sslMode } = credentials;
  const user = encodeURIComponent(username);
  const secret = encodeURIComponent(password);
  const db = encodeURIComponent(database);
  const query = sslMode ? `?sslmode=${sslMode}` : '';
  const jdbcSsl = sslMode ? `&sslmode=${sslMode}` : '';
  return {
    username,
    password,
    host,
    port: String(port),
    dbname: database,
    uri: `postgresql://${user}:${secret}@${uriHost(host)}:${port}/${db}${query}`,
    'jdbc-uri': `jdbc:postgresql://${uriHost(host)}:${port}/${db}?user=${user}&password=${secret}${jdbcSsl}`,
    pgpass: `${[host, String(port), database, username, password].map(pgpassField).join(':')}\n`,
    type: 'postgresql',
    provider: managedByValue,
  };
}

/** A digest of the credential keys' values (as text), to compare a stored Secret with what would be written. */
export function credentialsDigest(data: Readonly<Partial<Record<string, string>>>): string {
  const hash = createHash('sha256');
  for (const key of credentialKeys) hash.update(JSON.stringify([key, data[key] ?? null]));
  return hash.digest('base64');
}

/** The DatabaseUser that owns a credentials Secret (its controller owner reference). */
export interface SecretOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** A credentials Secret the operator is to write: its place, owner, credentials and their records. */
export interface CredentialsWrite {
  name: string;
  namespace: string;
  databaseUserName: string;
  /** undefined orphans the Secret (deletionPolicy Retain): the owner reference is dropped. */
  owner: SecretOwner | undefined;
  credentials: Credentials;
  /** The reset token whose password it holds. */
  resetToken: string | undefined;
  /** Why, when and for whom the password was set: stored with it, so a crash between Secret and role loses nothing. */
  passwordChange: PasswordChangeRecord | undefined;
  /** Seal the password and its records (ADR 16): every write does, but the orphaning of an unsealed Secret. */
  sealed: boolean;
  /** verifierDigest of the verifier the role is about to get for this password: recorded, sealed, with it (ADR 28). */
  verifierDigest?: string | undefined;
}

/**
 * What the operator keeps in memory of a credentials Secret it wrote (a few hundred bytes, so 10,000
 * users stay cheap): its identity, what decides whether it must be written again, and the
 * credentials themselves (the stored password; the rest to write it again, e.g. to orphan it).
 */
export interface CredentialsSecret {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string };
  /** The DatabaseUser named by its label. */
  databaseUser: string | undefined;
  /** The reset token whose password it holds (annotation). */
  resetToken: string | undefined;
  /** Why, when and for whom its password was set (annotation); undefined if absent or unreadable. */
  passwordChange: PasswordChangeRecord | undefined;
  /** uids of the DatabaseUsers that own it. */
  ownerUids: string[];
  /** Whether the operator's seal on its password and records verifies (ADR 16). */
  sealed: boolean;
  /** credentialsDigest of its credential keys. */
  dataDigest: string;
  credentials: Credentials | undefined;
  /** The verifier the operator set the role's password to, as a digest, when its record's seal verifies (ADR 28). */
  verifierDigest: string | undefined;
}

/** What the credentials Secret's name refers to right now. */
export type CredentialsSecretLookup =
  | { kind: 'absent' }
  | { kind: 'managed'; secret: CredentialsSecret }
  /** A Secret the operator did not write. */
  | { kind: 'unmanaged' };

/** The password-change record's text: fixed key order, so an unchanged record compares equal as text. */
export function passwordChangeText(change: PasswordChangeRecord): string;
export function passwordChangeText(change: PasswordChangeRecord | undefined): string | undefined;
export function passwordChangeText(change: PasswordChangeRecord | undefined): string | undefined {
  return change === undefined ? undefined : JSON.stringify({ reason: change.reason, at: change.at, ...(change.by === undefined ? {} : { by: change.by }) });
}

/**
 * Whether the stored Secret already has everything the write would set (so no write is needed). The
 * seal is not compared: a Secret whose password the role already has needs none (Secrets written
 * before seals existed keep working without a write); every write carries one.
 */
export function credentialsSecretMatches(stored: CredentialsSecret, write: CredentialsWrite): boolean {
  const wantedOwners = write.owner === undefined ? [] : [write.owner.uid];
  return (
    stored.databaseUser === write.databaseUserName &&
    stored.resetToken === write.resetToken &&
    passwordChangeText(stored.passwordChange) === passwordChangeText(write.passwordChange) &&
    stored.ownerUids.length === wantedOwners.length &&
    wantedOwners.every((uid) => stored.ownerUids.includes(uid)) &&
    stored.dataDigest === credentialsDigest(credentialsData(write.credentials))
  );
}
