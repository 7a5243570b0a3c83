import type { z } from 'zod';
import { databaseUserSpecSchema, lifecycleRules, objectNameSchema, objectRules } from '../api/database-user.js';
import { OperationFailed } from './operation-failed.js';

export interface NewUserRequest {
  username: string;
  readOnly: boolean;
  protected: boolean;
  database: string | undefined;
  connection: string | undefined;
  /** A Database of the namespace (spec.databaseRef); excludes database and connection. */
  databaseRef: string | undefined;
  passwordEncryption: string | undefined;
  validUntil: string | undefined;
  connectionLimit: string | undefined;
  ttl: string | undefined;
  rotateEvery: string | undefined;
  name: string | undefined;
}

/** Only a username, every other field at its default: `kubectl dbuser create <username>`, and the base of other requests. */
export function plainNewUserRequest(username: string): NewUserRequest {
  return {
    username,
    readOnly: false,
    protected: false,
    database: undefined,
    connection: undefined,
    databaseRef: undefined,
    passwordEncryption: undefined,
    validUntil: undefined,
    connectionLimit: undefined,
    ttl: undefined,
    rotateEvery: undefined,
    name: undefined,
  };
}

/** A DatabaseUser's metadata.name for a username: lowercase, "_" as "-", no trailing "-" (DNS-1123). */
export function databaseUserNameFor(username: string): string {
  return username.toLowerCase().replaceAll('_', '-').replace(/-+$/, '');
}

/** Which flag or argument a spec field came from, for messages. */
const sources: Record<string, (request: NewUserRequest) => string> = {
  username: (request) => `username "${request.username}"`,
  database: (request) => `--database "${request.database ?? ''}"`,
  connection: (request) => `--connection "${request.connection ?? ''}"`,
  databaseRef: (request) => `--database "${request.databaseRef ?? ''}"`,
  passwordEncryption: (request) => `--password-encryption "${request.passwordEncryption ?? ''}"`,
  validUntil: (request) => `--valid-until "${request.validUntil ?? ''}"`,
  connectionLimit: (request) => `--connection-limit "${request.connectionLimit ?? ''}"`,
  ttl: (request) => `--ttl "${request.ttl ?? ''}"`,
  passwordRotation: (request) => `--rotate-every "${request.rotateEvery ?? ''}"`,
};

/** "5" -> 5; anything else is kept as text, so the schema refuses it with its own message. */
function integerOrText(text: string): number | string {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

/** A zod issue in words a person reads; custom rules already carry the CRD's message. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small' && issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters`;
  if (issue.code === 'too_big' && issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

/**
 * The DatabaseUser to create, checked with the CRD's own rules (the zod schema in src/api) before
 * anything is sent. Refusals name the argument and the rule.
 */
export function newDatabaseUser(request: NewUserRequest): { name: string; spec: Record<string, unknown> } {
  const name = request.name ?? databaseUserNameFor(request.username);
  const spec: Record<string, unknown> = {
    username: request.username,
    ...(request.readOnly ? { readOnly: true } : {}),
    ...(request.protected ? { protected: true } : {}),
    ...(request.connection === undefined ? {} : { connection: { secretName: request.connection } }),
    ...(request.database === undefined ? {} : { database: request.database }),
    ...(request.databaseRef === undefined ? {} : { databaseRef: { name: request.databaseRef } }),
    ...(request.passwordEncryption === undefined ? {} : { passwordEncryption: request.passwordEncryption }),
    ...(request.validUntil === undefined ? {} : { validUntil: request.validUntil }),
    ...(request.connectionLimit === undefined ? {} : { connectionLimit: integerOrText(request.connectionLimit) }),
    ...(request.ttl === undefined ? {} : { ttl: request.ttl }),
    ...(request.rotateEvery === undefined ? {} : { passwordRotation: { every: request.rotateEvery } }),
  };
  const parsed = databaseUserSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      return `${sources[field]?.(request) ?? field}: ${describeIssue(issue)}`;
    });
    throw new OperationFailed(`${[...new Set(problems)].join('; ')}; nothing was changed`);
  }
  const contradiction = lifecycleRules.find((rule) => !rule.holds(parsed.data));
  if (contradiction) throw new OperationFailed(`${contradiction.message}; nothing was changed`);
  const nameCheck = objectNameSchema.safeParse(name);
  const nameProblem = nameCheck.success
    ? objectRules.find((rule) => !rule.holds({ metadata: { name }, spec: parsed.data }))?.message
    : nameCheck.error.issues.map(describeIssue).join('; ');
  if (nameProblem !== undefined)
    throw new OperationFailed(`${request.name === undefined ? 'the DatabaseUser name' : '--name'} "${name}": ${nameProblem}; nothing was changed`);
  return { name, spec };
}
