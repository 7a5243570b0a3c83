import * as z from 'zod';
import { celValidations } from './cel-rule.js';
import { databaseUserSpecSchema, databaseUserStatusSchema, objectRules } from './database-user.js';
import { apiGroup, apiVersion, kind, plural, shortNames, singular } from './names.js';

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
