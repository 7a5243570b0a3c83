import { createHash } from 'node:crypto';
import type { SslMode } from '../api/connection.js';
import { sslModes } from '../api/connection.js';
import { passwordChangeSchema, type PasswordChangeRecord } from '../api/database-user.js';
import {
  databaseUserLabel,
  kind,
  managedByLabel,
  managedByValue,
  passwordChangeAnnotation,
  passwordResetHandledAnnotation,
  sealAnnotation,
} from '../api/names.js';
import type { SealedFields } from './credentials-seal.js';
import { encodeSecretValue, secretValue, type KubeSecret } from './kube-objects.js';

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
type CredentialKey = (typeof credentialKeys)[number];

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

export interface SecretOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** A Secret as server-side apply receives it. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: (SecretOwner & { controller: boolean })[];
  };
  type: 'Opaque';
  data: Record<string, string>;
}

/**
 * The credentials Secret as the operator applies it. `owner` undefined orphans it (deletionPolicy
 * Retain): server-side apply then drops the owner reference this field manager set.
 */
export function credentialsSecretManifest(options: {
  name: string;
  namespace: string;
  databaseUserName: string;
  owner: SecretOwner | undefined;
  credentials: Credentials;
  resetToken: string | undefined;
  /** Why, when and for whom the password was set: stored with it, so a crash between Secret and role loses nothing. */
  passwordChange: PasswordChangeRecord | undefined;
  /** Seals the password and its records (model/credentials-seal.ts); undefined writes none. */
  seal: ((fields: SealedFields) => string) | undefined;
}): SecretManifest {
  const { name, namespace, databaseUserName, owner, credentials, resetToken, passwordChange, seal } = options;
  const data = Object.fromEntries(Object.entries(credentialsData(credentials)).map(([key, value]) => [key, encodeSecretValue(value)]));
  const changeText = passwordChangeText(passwordChange);
  const sealed: SealedFields = {
    namespace,
    secretName: name,
    databaseUser: databaseUserName,
    ownerUids: owner === undefined ? [] : [owner.uid],
    password: credentials.password,
    resetToken,
    passwordChange: changeText,
  };
  const annotations = {
    ...(resetToken === undefined ? {} : { [passwordResetHandledAnnotation]: resetToken }),
    ...(changeText === undefined ? {} : { [passwordChangeAnnotation]: changeText }),
    ...(seal === undefined ? {} : { [sealAnnotation]: seal(sealed) }),
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { [managedByLabel]: managedByValue, [databaseUserLabel]: databaseUserName },
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      ...(owner === undefined ? {} : { ownerReferences: [{ ...owner, controller: true }] }),
    },
    type: 'Opaque',
    data,
  };
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
  /** The operator's seal of the password and its records (annotation), if any. */
  seal: string | undefined;
  /** A digest of the managed keys' values, to compare with what would be written. */
  dataDigest: string;
  credentials: Credentials | undefined;
}

function digestOf(data: Readonly<Record<string, string>> | undefined): string {
  const hash = createHash('sha256');
  for (const key of credentialKeys) hash.update(JSON.stringify([key, data?.[key] ?? null]));
  return hash.digest('base64');
}

function sslModeOf(uri: string | undefined): SslMode | undefined {
  if (uri === undefined) return undefined;
  try {
    const mode = new URL(uri).searchParams.get('sslmode');
    return sslModes.find((candidate) => candidate === mode);
  } catch {
    return undefined;
  }
}

function credentialsOf(secret: KubeSecret): Credentials | undefined {
  const value = (key: CredentialKey) => secretValue(secret, key);
  const password = value('password');
  if (password === undefined || password === '') return undefined;
  return {
    username: value('username') ?? '',
    password,
    host: value('host') ?? '',
    port: Number(value('port') ?? 0),
    database: value('dbname') ?? '',
    sslMode: sslModeOf(value('uri')),
  };
}

export function projectCredentialsSecret(secret: KubeSecret): CredentialsSecret {
  const metadata = secret.metadata ?? {};
  return {
    metadata: { name: metadata.name ?? '', namespace: metadata.namespace ?? '', uid: metadata.uid ?? '', resourceVersion: metadata.resourceVersion ?? '' },
    databaseUser: metadata.labels?.[managedByLabel] === managedByValue ? metadata.labels[databaseUserLabel] : undefined,
    resetToken: metadata.annotations?.[passwordResetHandledAnnotation],
    passwordChange: parsePasswordChange(metadata.annotations?.[passwordChangeAnnotation]),
    // Only references to DatabaseUsers are ours to compare; others may add their own.
    ownerUids: (metadata.ownerReferences ?? []).filter((ref) => ref.kind === kind).map((ref) => ref.uid),
    seal: metadata.annotations?.[sealAnnotation],
    dataDigest: digestOf(secret.data),
    credentials: credentialsOf(secret),
  };
}

/** What the seal of a stored credentials Secret must vouch for, or undefined when it holds no password. */
export function sealedFieldsOf(stored: CredentialsSecret): SealedFields | undefined {
  if (stored.credentials === undefined || stored.databaseUser === undefined) return undefined;
  return {
    namespace: stored.metadata.namespace,
    secretName: stored.metadata.name,
    databaseUser: stored.databaseUser,
    ownerUids: stored.ownerUids,
    password: stored.credentials.password,
    resetToken: stored.resetToken,
    passwordChange: passwordChangeText(stored.passwordChange),
  };
}

/**
 * Whether the stored Secret already has everything the manifest sets (so no write is needed). The
 * seal is not compared: a Secret whose password the role already has needs none (Secrets written
 * before seals existed keep working without a write); every write carries one.
 */
export function secretMatches(stored: CredentialsSecret, desired: SecretManifest): boolean {
  const wantedOwners = (desired.metadata.ownerReferences ?? []).map((ref) => ref.uid);
  return (
    stored.databaseUser === desired.metadata.labels[databaseUserLabel] &&
    stored.resetToken === desired.metadata.annotations?.[passwordResetHandledAnnotation] &&
    passwordChangeText(stored.passwordChange) === desired.metadata.annotations?.[passwordChangeAnnotation] &&
    stored.ownerUids.length === wantedOwners.length &&
    wantedOwners.every((uid) => stored.ownerUids.includes(uid)) &&
    stored.dataDigest === digestOf(desired.data)
  );
}

/** The annotation's text: fixed key order, so an unchanged record compares equal as text. */
export function passwordChangeText(change: PasswordChangeRecord): string;
export function passwordChangeText(change: PasswordChangeRecord | undefined): string | undefined;
export function passwordChangeText(change: PasswordChangeRecord | undefined): string | undefined {
  return change === undefined ? undefined : JSON.stringify({ reason: change.reason, at: change.at, ...(change.by === undefined ? {} : { by: change.by }) });
}

function parsePasswordChange(text: string | undefined): PasswordChangeRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = passwordChangeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
