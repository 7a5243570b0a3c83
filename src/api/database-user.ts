// A namespace import lets the page's bundler drop the parts of zod it does not use (locales: ~360 kB).
import * as z from 'zod';
import { celValidations, withRules, type CelRule, type CelTransitionRule } from './cel-rule.js';
import { conditionsField } from './conditions.js';
import { parseDuration } from './duration.js';

/** A Kubernetes object name (DNS-1123 subdomain), e.g. of a Secret. */
export const objectNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'must be a lowercase DNS-1123 subdomain (letters, digits, "-" and ".")',
  });

/** Role names PostgreSQL reserves (CREATE ROLE refuses them with 42939), compared in lower case. */
const reservedRoleNames = ['public', 'current_user', 'session_user', 'current_role', 'none'] as const;

export const usernameRules: readonly CelRule<string>[] = [
  {
    rule: "self.matches('^[A-Za-z][A-Za-z0-9_]*$')",
    message: 'username must start with a letter and contain only letters, digits and underscores',
    holds: (value) => /^[A-Za-z][A-Za-z0-9_]*$/.test(value),
  },
  {
    rule: "self.lowerAscii() != 'postgres'",
    message: 'username "postgres" is reserved for the PostgreSQL superuser',
    holds: (value) => value.toLowerCase() !== 'postgres',
  },
  {
    rule: "!self.lowerAscii().startsWith('pg_')",
    message: 'usernames starting with "pg_" are reserved for PostgreSQL system roles',
    holds: (value) => !value.toLowerCase().startsWith('pg_'),
  },
  {
    rule: `!(self.lowerAscii() in [${reservedRoleNames.map((name) => `'${name}'`).join(', ')}])`,
    message: `username cannot be ${reservedRoleNames.map((name) => `"${name}"`).join(', ')} (in any case): PostgreSQL reserves these role names`,
    holds: (value) => !(reservedRoleNames as readonly string[]).includes(value.toLowerCase()),
  },
];

export const immutable = (field: string): CelTransitionRule => ({ rule: 'self == oldSelf', message: `${field} is immutable` });

export const usernameSchema = withRules(z.string().min(6).max(32), usernameRules).meta({
  description:
    'The PostgreSQL role name, used exactly as written (case preserved). 6-32 characters: letters, digits and ' +
    'underscores, starting with a letter; not "postgres", not starting with "pg_". Immutable.',
  'x-kubernetes-validations': celValidations([...usernameRules, immutable('username')]),
});

const connection = z
  .object({
    secretName: objectNameSchema.meta({
      description:
        'Secret in the same namespace with admin credentials for the PostgreSQL server: either a "uri" key ' +
        '(postgresql://user:password@host:port/dbname?sslmode=...) or the keys host, port, username (or user), ' +
        'password, dbname, sslmode, as CloudNativePG and Crunchy PGO write them.',
    }),
  })
  .meta({
    description: 'Where the role lives. Optional when the operator has a default connection. Immutable.',
    'x-kubernetes-validations': celValidations([immutable('connection')]),
  });

/** Databases no user is granted access to: the templates every new database is copied from, and the maintenance database. */
const reservedDatabases = ['template0', 'template1', 'postgres'] as const;

export const databaseRules: readonly CelRule<string>[] = [
  {
    rule: `!(self in [${reservedDatabases.map((name) => `'${name}'`).join(', ')}])`,
    message: `database cannot be ${reservedDatabases.map((name) => `"${name}"`).join(', ')}: templates and the maintenance database are not handed out`,
    holds: (value) => !(reservedDatabases as readonly string[]).includes(value),
  },
  {
    // PostgreSQL ends a name at NUL, so "shop\u0000x" would mean "shop": refused, with every other control character.
    rule: "!self.matches(r'\\p{Cc}')",
    message: 'database must not contain control characters (NUL, newline, tab, ...)',
    holds: (value) => !/\p{Cc}/u.test(value),
  },
  {
    // NAMEDATALEN: a longer name is silently truncated by PostgreSQL, so it would name another database.
    rule: 'size(bytes(self)) <= 63',
    message: 'database must be at most 63 bytes in UTF-8 (PostgreSQL truncates longer names)',
    holds: (value) => new TextEncoder().encode(value).length <= 63,
  },
];

const database = withRules(z.string().min(1).max(63), databaseRules).meta({
  description:
    "Database the user is granted access to. Default: the connection's database. Not template0, template1 or postgres; " +
    'no control characters; at most 63 bytes. Immutable.',
  'x-kubernetes-validations': celValidations([...databaseRules, immutable('database')]),
});

const databaseRef = z
  .object({
    name: objectNameSchema.meta({ description: 'A Database in the same namespace.' }),
  })
  .meta({
    description:
      'The Database (same namespace) the user belongs to: the operator reaches its server with the credentials the ' +
      'platform registered, and the user gets privileges on that database only. Not with connection or database. Immutable.',
    'x-kubernetes-validations': celValidations([immutable('databaseRef')]),
  });

const passwordSecretRef = z
  .object({
    name: objectNameSchema.meta({ description: 'Secret in the same namespace that holds the chosen password.' }),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a valid Secret key' })
      .default('password')
      .meta({ description: 'Key in that Secret. Default "password".' }),
  })
  .meta({
    description:
      'A password chosen by the user: 24-64 characters, Unicode included, without quotes (" or \') or control ' +
      'characters such as newlines, and nothing SASLprep (RFC 4013) prohibits. SCRAM hashes its SASLprep form, as ' +
      'PostgreSQL and libpq do, so it logs in typed in any Unicode normalization form (MD5 hashes the bytes as ' +
      'written). Editing that Secret changes the password. Without it, the operator generates a 64-character password.',
  });

/** The longest duration a spec may give: 100 years, far inside what a Date (and CEL's duration) holds. */
export const longestSpecDuration = '876000h';

/** A Go-style duration, as Kubernetes tools write them ("720h", "1h30m", "30s"): longer than zero, at most 100 years. */
const durationRules: readonly CelRule<string>[] = [
  {
    rule: "duration(self) > duration('0s')",
    message: 'must be longer than 0s',
    holds: (value) => (parseDuration(value) ?? 0) > 0,
  },
  {
    rule: `duration(self) <= duration('${longestSpecDuration}')`,
    message: `must be at most ${longestSpecDuration} (100 years)`,
    holds: (value) => (parseDuration(value) ?? Number.POSITIVE_INFINITY) <= (parseDuration(longestSpecDuration) ?? 0),
  },
];

const durationSchema = (description: string) =>
  withRules(
    z
      .string()
      .max(64)
      .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, { message: 'must be a duration such as 30s, 90m or 720h' }),
    durationRules,
  ).meta({ description, 'x-kubernetes-validations': celValidations(durationRules) });

/** What PostgreSQL's VALID UNTIL stores of an RFC 3339 instant: it has no year 0000 and no UTC offset beyond ±15:59. */
const validUntilRules: readonly CelRule<string>[] = [
  {
    rule: "!self.startsWith('0000')",
    message: 'validUntil: year 0000 does not exist in PostgreSQL (the first year is 0001)',
    holds: (value) => !value.startsWith('0000'),
  },
  {
    rule: "!self.matches('[+-](1[6-9]|[2-9][0-9]):[0-9][0-9]$')",
    message: 'validUntil: the UTC offset must be within ±15:59, the range PostgreSQL accepts',
    holds: (value) => !/[+-](1[6-9]|[2-9][0-9]):[0-9][0-9]$/.test(value),
  },
];

const passwordRotation = z
  .object({
    every: durationSchema(
      'How often the generated password is replaced, e.g. 720h. At least 1h (the operator setting MIN_PASSWORD_ROTATION); ' +
        'each user rotates up to 10 % early, spread by its uid, so users created together do not rotate together.',
    ),
  })
  .meta({
    description:
      'Scheduled rotation of the generated password, done as a reset: the new password is written to the credentials ' +
      'Secret first, then to the role. Not for chosen passwords (rotate the chosen Secret instead) or protected users.',
  });

export const passwordEncryptions = ['scram-sha-256', 'md5'] as const;
export const deletionPolicies = ['Delete', 'Retain'] as const;

interface LifecycleFields {
  protected: boolean;
  ttl?: string | undefined;
  passwordRotation?: unknown;
  deletionPolicy: string;
}

/** Spec rules on lifecycle fields, checked by the API server and by the operator alike. */
export const lifecycleRules: readonly CelRule<LifecycleFields & { databaseRef?: unknown; connection?: unknown; database?: string | undefined }>[] = [
  {
    rule: '!(has(self.databaseRef) && (has(self.connection) || has(self.database)))',
    message: 'databaseRef names the Database, its server and its database: it cannot be given with connection or database',
    holds: (spec) => !(spec.databaseRef !== undefined && (spec.connection !== undefined || spec.database !== undefined)),
  },
  {
    rule: '!(has(self.ttl) && has(self.protected) && self.protected)',
    message: 'a protected user cannot have a ttl: it could never be deleted when the ttl ends',
    holds: (spec) => !(spec.ttl !== undefined && spec.protected),
  },
  {
    rule: "!(has(self.ttl) && has(self.deletionPolicy) && self.deletionPolicy == 'Retain')",
    message: 'ttl deletes the role and its Secret when it ends, so deletionPolicy cannot be Retain',
    holds: (spec) => !(spec.ttl !== undefined && spec.deletionPolicy === 'Retain'),
  },
  {
    rule: '!(has(self.passwordRotation) && has(self.protected) && self.protected)',
    message: "a protected user's password never changes: remove passwordRotation or set protected to false",
    holds: (spec) => !(spec.passwordRotation !== undefined && spec.protected),
  },
];

/** Spec rules that compare with the stored object: only the API server can check them. */
const specTransitionRules: CelTransitionRule[] = [
  {
    rule:
      '!has(oldSelf.protected) || !oldSelf.protected || ' +
      '(has(self.passwordSecretRef) == has(oldSelf.passwordSecretRef) && ' +
      '(!has(self.passwordSecretRef) || self.passwordSecretRef == oldSelf.passwordSecretRef))',
    message: 'passwordSecretRef cannot change while the user is protected: set protected to false first',
  },
  {
    rule: 'has(self.connection) == has(oldSelf.connection)',
    message: 'connection cannot be added or removed after creation',
  },
  {
    rule: 'has(self.database) == has(oldSelf.database)',
    message: 'database cannot be added or removed after creation',
  },
  {
    rule: 'has(self.databaseRef) == has(oldSelf.databaseRef)',
    message: 'databaseRef cannot be added or removed after creation',
  },
];

export const databaseUserSpecSchema = z
  .object({
    username: usernameSchema,
    readOnly: z
      .boolean()
      .default(false)
      .meta({
        description:
          'true: CONNECT, USAGE on schema public, SELECT on all tables and sequences (now and future). ' +
          "false: the provider's default grants: ALL on the database, CREATE on schema public, ALL on tables and sequences.",
      }),
    protected: z
      .boolean()
      .default(false)
      .meta({
        description:
          'A protected user cannot be deleted and its password cannot change. Set to false in a separate update ' + 'before deleting or re-passwording it.',
      }),
    connection: connection.optional(),
    database: database.optional(),
    databaseRef: databaseRef.optional(),
    passwordSecretRef: passwordSecretRef.optional(),
    passwordEncryption: z.enum(passwordEncryptions).default('scram-sha-256').meta({
      description: 'How PostgreSQL stores the password: scram-sha-256 (default) or md5.',
    }),
    secretName: objectNameSchema.optional().meta({
      description: 'Name of the Secret the operator writes the credentials to. Default "<metadata.name>-credentials".',
    }),
    validUntil: withRules(z.iso.datetime({ offset: true }).max(64), validUntilRules)
      .optional()
      .meta({
        description:
          'RFC 3339 instant after which PostgreSQL refuses the password (VALID UNTIL): year 0001 or later, UTC offset within ±15:59. ' +
          'Absent: no expiry. Drift is repaired.',
        // No format: date-time, on purpose: CEL would then see an instant, and the rules below read the
        // text (its year and UTC offset). The pattern checks RFC 3339.
        format: undefined,
        'x-kubernetes-validations': celValidations(validUntilRules),
      }),
    connectionLimit: z.number().int().min(-1).max(2147483647).default(-1).meta({
      description: 'CONNECTION LIMIT of the role: concurrent sessions allowed, -1 (default) for unlimited. Drift is repaired.',
    }),
    passwordRotation: passwordRotation.optional(),
    ttl: durationSchema(
      'A temporary user: when this long has passed since creation (status.expiresAt), the DatabaseUser is deleted and ' +
        'with it the role and the credentials Secret, as with deletionPolicy Delete. Not for protected users.',
    ).optional(),
    deletionPolicy: z
      .enum(deletionPolicies)
      .default('Delete')
      .meta({
        description:
          'Delete (default): on deletion, objects owned by the role are reassigned to the database owner, then the ' +
          'role and its Secret are removed. Retain: the role and the Secret are kept.',
      }),
  })
  .meta({
    description: 'Desired state of a PostgreSQL user.',
    'x-kubernetes-validations': celValidations([...lifecycleRules, ...specTransitionRules]),
  });

export type DatabaseUserSpec = z.output<typeof databaseUserSpecSchema>;

export const passwordChangeReasons = ['created', 'reset', 'rotation', 'update'] as const;
export type PasswordChangeReason = (typeof passwordChangeReasons)[number];

/** Why, when and for whom a password was set: in the status, and with the password in the credentials Secret. */
export const passwordChangeSchema = z.object({
  at: z.string().meta({ description: 'When the password was set.', format: 'date-time' }),
  by: z
    .string()
    .optional()
    .meta({
      description:
        'Who asked, as the API server authenticated them: the requester of a reset (stamped at admission by the requester ' +
        'policy), or the operator itself for rotations. Absent when the API server recorded no one (creation, update).',
    }),
  reason: z.enum(passwordChangeReasons).meta({ description: 'created, reset, rotation, or update (the chosen-password Secret changed).' }),
});

export type PasswordChangeRecord = z.output<typeof passwordChangeSchema>;

export const storedPasswordEncryptions = ['SCRAM-SHA-256', 'MD5'] as const;

export const databaseUserStatusSchema = z
  .object({
    observedGeneration: z.number().int().optional().meta({ description: 'The metadata.generation last reconciled.' }),
    conditions: conditionsField(
      'Ready is True when the role, its grants, its password and the credentials Secret match the spec. By the kstatus ' +
        'conventions (Flux, Argo CD): Stalled is True, with the reason, when the user cannot become Ready until a person ' +
        'changes something; Reconciling is True while a transient failure is retried; neither is present when Ready. ' +
        'Each condition carries the observedGeneration it describes.',
    ),
    username: z.string().optional().meta({ description: 'The role name in PostgreSQL.' }),
    readOnly: z.boolean().optional().meta({ description: 'Whether the applied grants are read-only.' }),
    protected: z.boolean().optional().meta({ description: 'Whether the user is protected.' }),
    passwordEncryption: z.enum(storedPasswordEncryptions).optional().meta({
      description: 'How the password is stored in PostgreSQL now (read from pg_authid when the admin may, else as applied).',
    }),
    secretName: z.string().optional().meta({ description: 'The Secret holding the credentials.' }),
    passwordUpdatedAt: z.string().optional().meta({
      description: 'When the operator last set the password in PostgreSQL. Kept for clients that read it; lastPasswordChange is the record (at, by, reason).',
      format: 'date-time',
    }),
    lastPasswordReset: z.string().optional().meta({ description: 'The dbuser.dev/reset-password value last handled.' }),
    lastPasswordChange: passwordChangeSchema.optional().meta({ description: 'The last change of the password the role has.' }),
    passwordRotatesAt: z.string().optional().meta({ description: 'With passwordRotation: when the password is next replaced.', format: 'date-time' }),
    expiresAt: z.string().optional().meta({ description: 'With ttl: when the DatabaseUser is deleted.', format: 'date-time' }),
    passwordSecretResourceVersion: z.string().optional().meta({
      description: 'With passwordSecretRef: the resourceVersion of that Secret whose password the role now has (tools wait for it after editing the Secret).',
    }),
  })
  .meta({
    description: 'Observed state, written by the operator.',
    // Read as observedGeneration 0 until the operator writes a status: kstatus (Flux) then says
    // InProgress for a user the operator has not seen yet, instead of Current (ADR 12).
    default: { observedGeneration: 0 },
  });

export type DatabaseUserStatus = z.output<typeof databaseUserStatusSchema>;

/** The metadata fields of a Kubernetes object that this project reads (JSON as the API server sends it). */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

/** A DatabaseUser as read from the API server: metadata is trusted, spec is validated before use. */
export interface DatabaseUser {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: DatabaseUserStatus;
}

/** The credentials Secret name: spec.secretName or "<metadata.name>-credentials". */
export function credentialsSecretName(name: string, spec: Pick<DatabaseUserSpec, 'secretName'>): string {
  return spec.secretName ?? `${name}-credentials`;
}

/** Rules on the whole object (metadata and spec together). */
export const objectRules: readonly CelRule<{ metadata: { name: string }; spec: { secretName?: string | undefined } }>[] = [
  {
    rule: 'has(self.spec.secretName) || size(self.metadata.name) <= 241',
    message: 'metadata.name is too long for the default secretName "<name>-credentials": set spec.secretName',
    holds: (value) => value.spec.secretName !== undefined || value.metadata.name.length <= 241,
  },
];
