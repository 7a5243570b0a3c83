import * as z from 'zod';
import { celValidations } from './cel-rule.js';
import { databaseServerSpecSchema, databaseServerStatusSchema } from './database-server.js';
import { databaseUserSpecSchema, databaseUserStatusSchema, objectRules } from './database-user.js';
import { databaseSpecSchema, databaseStatusSchema } from './database.js';
import { apiGroup, apiVersion, databaseKind, databaseServerKind, kind, plural, shortNames, singular } from './names.js';

type JsonSchema = Record<string, unknown>;

/** zod's JSON Schema, made structural for a CRD: no $schema, no additionalProperties:false. */
function toCrdSchema(schema: z.ZodType): JsonSchema {
  const clean = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(clean);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || (key === 'additionalProperties' && value === false)) continue;
      out[key] = clean(value);
    }
    return out;
  };
  return clean(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' })) as JsonSchema;
}

const readyCondition = '.status.conditions[?(@.type=="Ready")]';

/** The DatabaseUser CRD, generated from the zod schemas so the two cannot disagree. */
export function databaseUserCrd(): JsonSchema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${apiGroup}` },
    spec: {
      group: apiGroup,
      scope: 'Namespaced',
      names: { kind, plural, singular, shortNames, listKind: `${kind}List` },
      versions: [
        {
          name: apiVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Username', type: 'string', jsonPath: '.spec.username' },
            { name: 'Read-Only', type: 'boolean', jsonPath: '.spec.readOnly' },
            { name: 'Protected', type: 'boolean', jsonPath: '.spec.protected' },
            { name: 'Password Encryption', type: 'string', jsonPath: '.status.passwordEncryption' },
            { name: 'Ready', type: 'string', jsonPath: `${readyCondition}.status` },
            { name: 'Reason', type: 'string', jsonPath: `${readyCondition}.reason`, priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A PostgreSQL user (LOGIN role) managed by dbuser-operator, with its credentials in a Secret.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toCrdSchema(databaseUserSpecSchema),
                status: toCrdSchema(databaseUserStatusSchema),
              },
              'x-kubernetes-validations': celValidations(objectRules),
            },
          },
        },
      ],
    },
  };
}

const readyColumns = [
  { name: 'Ready', type: 'string', jsonPath: `${readyCondition}.status` },
  { name: 'Reason', type: 'string', jsonPath: `${readyCondition}.reason`, priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** A CRD of this API group with one version, a status subresource and the schemas given. */
function crdOf(options: {
  names: { kind: string; plural: string; singular: string; shortNames: readonly string[] };
  scope: 'Namespaced' | 'Cluster';
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  columns: object[];
}): JsonSchema {
  const { names } = options;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${apiGroup}` },
    spec: {
      group: apiGroup,
      scope: options.scope,
      names: { kind: names.kind, plural: names.plural, singular: names.singular, shortNames: [...names.shortNames], listKind: `${names.kind}List` },
      versions: [
        {
          name: apiVersion,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: options.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: options.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toCrdSchema(options.spec),
                status: toCrdSchema(options.status),
              },
            },
          },
        },
      ],
    },
  };
}

/** The Database CRD (namespaced): a database on a registered server, with its protected default user. */
export function databaseCrd(): JsonSchema {
  return crdOf({
    names: databaseKind,
    scope: 'Namespaced',
    description: 'A PostgreSQL database on a DatabaseServer, created with its owner and its protected default user.',
    spec: databaseSpecSchema,
    status: databaseStatusSchema,
    columns: [
      { name: 'Database', type: 'string', jsonPath: '.status.databaseName' },
      { name: 'Server', type: 'string', jsonPath: '.spec.serverRef.name' },
      { name: 'Default User', type: 'string', jsonPath: '.status.defaultUser.username' },
      { name: 'Users', type: 'integer', jsonPath: '.status.users' },
      ...readyColumns,
    ],
  });
}

/** The DatabaseServer CRD (cluster-scoped): a server the platform registers, and who may use it. */
export function databaseServerCrd(): JsonSchema {
  return crdOf({
    names: databaseServerKind,
    scope: 'Cluster',
    description: 'A PostgreSQL server registered by the platform team: its admin Secret, which namespaces may use it, and their limits.',
    spec: databaseServerSpecSchema,
    status: databaseServerStatusSchema,
    columns: [
      { name: 'Reachable', type: 'boolean', jsonPath: '.status.reachable' },
      { name: 'Version', type: 'string', jsonPath: '.status.serverVersion' },
      { name: 'Databases', type: 'integer', jsonPath: '.status.databases' },
      { name: 'Users', type: 'integer', jsonPath: '.status.users' },
      ...readyColumns,
    ],
  });
}
