import * as z from 'zod';
import { celValidations, withRules, type CelRule } from './cel-rule.js';
import { conditionsField } from './conditions.js';
import { databaseRules, immutable, objectNameSchema, usernameRules, type ObjectMeta } from './database-user.js';

/**
 * A database name the provider's way: also the username of its default user, so it follows the
 * username rules (6-32 letters, digits and underscores, starting with a letter) and the database
 * rules (no template or maintenance database).
 */
export const databaseNameRules: readonly CelRule<string>[] = [...usernameRules, ...databaseRules].map((rule) => ({
  ...rule,
  message: rule.message.replace(/^usernames?|^database/, 'databaseName'),
}));

export const databaseDeletionPolicies = ['Retain', 'Delete'] as const;

export const databaseSpecSchema = z
  .object({
    serverRef: z
      .object({ name: objectNameSchema.meta({ description: 'A DatabaseServer the namespace may use.' }) })
      .meta({ description: 'The server to create the database on. Immutable.', 'x-kubernetes-validations': celValidations([immutable('serverRef')]) }),
    databaseName: withRules(z.string().min(6).max(32), databaseNameRules)
      .optional()
      .meta({
        description:
          'The database (and its default user\'s username). Default: metadata.name with "-" and "." as "_", and a suffix of ' +
          "four digits derived from the uid, like the provider's my_app_4553. 6-32 letters, digits and underscores, " +
          'starting with a letter. Immutable.',
        'x-kubernetes-validations': celValidations([...databaseNameRules, immutable('databaseName')]),
      }),
    deletionPolicy: z
      .enum(databaseDeletionPolicies)
      .default('Retain')
      .meta({
        description:
          'Retain (default): deleting the Database keeps the database and its data. Delete: the database is dropped once its ' +
          'users are gone. Either way its default user goes with it, and deletion waits until no other user uses it.',
      }),
  })
  .meta({
    description: 'A database on a registered server, with its protected default user.',
    'x-kubernetes-validations': celValidations([
      { rule: 'has(self.databaseName) == has(oldSelf.databaseName)', message: 'databaseName cannot be added or removed after creation' },
    ]),
  });

export type DatabaseSpec = z.output<typeof databaseSpecSchema>;

export const databaseStatusSchema = z
  .object({
    observedGeneration: z.number().int().optional(),
    conditions: conditionsField(
      'Ready is True when the database exists on its server and its default user is Ready. Stalled/Reconciling by the kstatus ' +
        'conventions, as for DatabaseUser.',
    ),
    databaseName: z.string().optional().meta({ description: 'The database in PostgreSQL.' }),
    server: z.string().optional().meta({ description: 'The DatabaseServer it is on.' }),
    owner: z.string().optional().meta({ description: 'The role that owns the database (NOLOGIN, managed by the operator).' }),
    defaultUser: z
      .object({ name: z.string(), username: z.string() })
      .optional()
      .meta({ description: 'The protected default user: its DatabaseUser and its username.' }),
    users: z.number().int().optional().meta({ description: 'DatabaseUsers of this database, the default user included.' }),
  })
  .meta({ description: 'Observed state, written by the operator.', default: { observedGeneration: 0 } });

export type DatabaseStatus = z.output<typeof databaseStatusSchema>;

/** A Database as read from the API server: metadata is trusted, spec is validated before use. */
export interface Database {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta & { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
  spec?: unknown;
  status?: DatabaseStatus;
}

/**
 * The default database name, the provider's way: metadata.name with "-" and "." as "_" (a leading
 * digit gets "db_" before it), cut to fit, and four digits derived from the uid (stable across passes,
 * different across objects).
 */
export function defaultDatabaseName(name: string, uid: string): string {
  let digest = 0;
  for (const character of uid) digest = (digest * 31 + character.charCodeAt(0)) % 10_000;
  const base = name
    .replace(/[-.]/g, '_')
    .replace(/^(?=[0-9])/, 'db_')
    .slice(0, 27)
    .replace(/_+$/, '');
  return `${base}_${String(digest).padStart(4, '0')}`;
}
