import * as z from 'zod';
import { withRules, type CelRule } from './cel-rule.js';
import { conditionsField } from './conditions.js';
import { objectNameSchema, type ObjectMeta } from './database-user.js';
import { parseDuration } from './duration.js';
import { labelSelectorSchema } from './label-selector.js';

/**
 * A PostgreSQL server the platform team registers (DESIGN §13): where it is (its admin Secret, in the
 * operator's namespace, which tenants cannot read), which namespaces may put Databases on it, and
 * what each of them may take.
 */
const limitsSchema = z
  .object({
    databases: z.number().int().min(0).optional().meta({
      description:
        "How many Databases one namespace may have on this server (absent: no limit). Count all of a namespace's Databases with a ResourceQuota (count/databases.dbuser.dev) instead where the server does not matter.",
    }),
    usersPerDatabase: z.number().int().min(0).optional().meta({
      description: 'How many DatabaseUsers one Database may have besides its default user (absent: no limit).',
    }),
    maxConnectionLimit: z.number().int().min(1).max(2147483647).optional().meta({
      description: "The largest spec.connectionLimit a user may ask for (absent: any). With it, a user's -1 (unlimited, the default) means this value.",
    }),
    allowMD5: z.boolean().default(true).meta({ description: 'Whether users may store their password as MD5 (passwordEncryption: md5). Default true.' }),
    minPasswordRotation: withRules(
      z
        .string()
        .max(64)
        .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, { message: 'must be a duration such as 30s, 90m or 720h' }),
      [
        {
          rule: "duration(self) > duration('0s')",
          message: 'must be longer than 0s',
          holds: (value) => (parseDuration(value) ?? 0) > 0,
        } satisfies CelRule<string>,
      ],
    )
      .optional()
      .meta({ description: "The shortest spec.passwordRotation.every a user may ask for, e.g. 24h (absent: the operator's MIN_PASSWORD_ROTATION)." }),
  })
  .meta({ description: 'What each namespace may take of this server; the operator refuses more with QuotaExceeded.' });

export type DatabaseServerLimits = z.output<typeof limitsSchema>;

export const databaseServerSpecSchema = z
  .object({
    adminSecretRef: z
      .object({
        name: objectNameSchema.meta({
          description:
            "Secret in the operator's namespace with the server's admin credentials, in the format of a connection Secret (a uri key, or host, port, username, password, dbname, sslmode).",
        }),
      })
      .meta({ description: "The server's admin credentials, kept in the operator's namespace: tenants never read them." }),
    namespaceSelector: labelSelectorSchema.optional().meta({
      description:
        "Namespaces whose labels match may put Databases on this server; {} matches every namespace (Gateway API's from: All). Absent, with no namespaces: none may.",
    }),
    namespaces: z.array(objectNameSchema).optional().meta({
      description:
        "Namespaces, by name, that may put Databases on this server besides those namespaceSelector matches (as External Secrets' ClusterSecretStore conditions).",
    }),
    limits: limitsSchema.optional(),
  })
  .meta({ description: 'A PostgreSQL server the operator may create Databases on, and who may use it.' });

export type DatabaseServerSpec = z.output<typeof databaseServerSpecSchema>;

export const databaseServerStatusSchema = z
  .object({
    observedGeneration: z.number().int().optional(),
    conditions: conditionsField(
      'Ready: the server is reachable with its admin credentials. Stalled/Reconciling by the kstatus conventions, as for DatabaseUser.',
    ),
    reachable: z.boolean().optional().meta({ description: 'Whether the operator last reached the server with its admin credentials.' }),
    serverVersion: z.string().optional().meta({ description: "The server's PostgreSQL version (server_version)." }),
    databases: z.number().int().optional().meta({ description: 'Databases on this server.' }),
    users: z.number().int().optional().meta({ description: 'DatabaseUsers on its Databases.' }),
    usedBy: z
      .array(z.string())
      .optional()
      .meta({ description: 'The Databases on this server (namespace/name, at most 20): it cannot be deleted while there are any.' }),
  })
  .meta({ description: 'Observed state, written by the operator.', default: { observedGeneration: 0 } });

export type DatabaseServerStatus = z.output<typeof databaseServerStatusSchema>;

/** A DatabaseServer as read from the API server: metadata is trusted, spec is validated before use. */
export interface DatabaseServer {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: DatabaseServerStatus;
}
