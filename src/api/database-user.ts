// A namespace import lets the page's bundler drop the parts of zod it does not use (locales: ~360 kB).
import * as z from 'zod';
import { celValidations, withRules, type CelRule, type CelTransitionRule } from './cel-rule.js';
import { conditionSchema } from './conditions.js';

/** A Kubernetes object name (DNS-1123 subdomain), e.g. of a Secret. */
export const objectNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: 'must be a lowercase DNS-1123 subdomain (letters, digits, "-" and ".")',
  });

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
];

const immutable = (field: string): CelTransitionRule => ({ rule: 'self == oldSelf', message: `${field} is immutable` });

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

const database = z
  .string()
  .min(1)
  .max(63)
  .meta({
    description: "Database the user is granted access to. Default: the connection's database. Immutable.",
    'x-kubernetes-validations': celValidations([immutable('database')]),
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
      'A password chosen by the user (24-64 printable ASCII characters, no quotes). Editing that Secret changes the ' +
      'password. Without it, the operator generates a 64-character password.',
  });

export const passwordEncryptions = ['scram-sha-256', 'md5'] as const;
export const deletionPolicies = ['Delete', 'Retain'] as const;

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
    passwordSecretRef: passwordSecretRef.optional(),
    passwordEncryption: z.enum(passwordEncryptions).default('scram-sha-256').meta({
      description: 'How PostgreSQL stores the password: scram-sha-256 (default) or md5.',
    }),
    secretName: objectNameSchema.optional().meta({
      description: 'Name of the Secret the operator writes the credentials to. Default "<metadata.name>-credentials".',
    }),
    validUntil: z.iso.datetime({ offset: true }).optional().meta({
      description: 'RFC 3339 instant after which PostgreSQL refuses the password (VALID UNTIL). Absent: no expiry. Drift is repaired.',
      format: 'date-time',
    }),
    connectionLimit: z.number().int().min(-1).max(2147483647).default(-1).meta({
      description: 'CONNECTION LIMIT of the role: concurrent sessions allowed, -1 (default) for unlimited. Drift is repaired.',
    }),
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
    'x-kubernetes-validations': celValidations(specTransitionRules),
  });

export type DatabaseUserSpec = z.output<typeof databaseUserSpecSchema>;

export const storedPasswordEncryptions = ['SCRAM-SHA-256', 'MD5'] as const;

export const databaseUserStatusSchema = z
  .object({
    observedGeneration: z.number().int().optional().meta({ description: 'The metadata.generation last reconciled.' }),
    conditions: z
      .array(conditionSchema)
      .optional()
      .meta({
        description: 'Ready is True when the role, its grants, its password and the credentials Secret match the spec.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    username: z.string().optional().meta({ description: 'The role name in PostgreSQL.' }),
    readOnly: z.boolean().optional().meta({ description: 'Whether the applied grants are read-only.' }),
    protected: z.boolean().optional().meta({ description: 'Whether the user is protected.' }),
    passwordEncryption: z.enum(storedPasswordEncryptions).optional().meta({
      description: 'How the password is stored in PostgreSQL now (read from pg_authid when the admin may, else as applied).',
    }),
    secretName: z.string().optional().meta({ description: 'The Secret holding the credentials.' }),
    passwordUpdatedAt: z.string().optional().meta({ description: 'When the operator last set the password.', format: 'date-time' }),
    lastPasswordReset: z.string().optional().meta({ description: 'The dbuser.dev/reset-password value last handled.' }),
    passwordSecretResourceVersion: z.string().optional().meta({
      description: 'With passwordSecretRef: the resourceVersion of that Secret whose password the role now has (tools wait for it after editing the Secret).',
    }),
  })
  .meta({ description: 'Observed state, written by the operator.' });

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
