import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { databaseUserSpecSchema, objectRules, usernameRules } from '../../../src/api/database-user.js';
import { chartCrdFile, crdFile, renderCrd } from '../../../tools/crd-file.js';

describe('crds/', () => {
  it('is exactly what src/api generates (run `npm run generate:crd` after changing the schema)', () => {
    expect(readFileSync(crdFile, 'utf8')).toBe(renderCrd());
  });

  it("is the Helm chart's CRD too", () => {
    expect(readFileSync(chartCrdFile, 'utf8')).toBe(renderCrd());
  });

  it('carries the username rules as CEL with the same messages zod gives', () => {
    interface Crd {
      spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }[] };
    }
    const crd = parse(readFileSync(crdFile, 'utf8')) as Crd;
    const username = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties.username;
    expect(username?.['x-kubernetes-validations']).toEqual([
      ...usernameRules.map(({ rule, message }) => ({ rule, message })),
      { rule: 'self == oldSelf', message: 'username is immutable' },
    ]);
    for (const rule of usernameRules) {
      const failing = ['1abcdef', 'postgres', 'pg_thing', 'Current_User'].find((name) => !rule.holds(name)) ?? '';
      const parsed = databaseUserSpecSchema.safeParse({ username: failing });
      expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)).toContain(rule.message);
    }
  });

  it('defaults the optional fields', () => {
    expect(databaseUserSpecSchema.parse({ username: 'abcdef' })).toEqual({
      username: 'abcdef',
      readOnly: false,
      protected: false,
      passwordEncryption: 'scram-sha-256',
      deletionPolicy: 'Delete',
      connectionLimit: -1,
    });
  });

  it('checks that the default Secret name fits', () => {
    const [rule] = objectRules;
    expect(rule?.holds({ metadata: { name: 'a'.repeat(241) }, spec: {} })).toBe(true);
    expect(rule?.holds({ metadata: { name: 'a'.repeat(242) }, spec: {} })).toBe(false);
    expect(rule?.holds({ metadata: { name: 'a'.repeat(242) }, spec: { secretName: 'x' } })).toBe(true);
  });
});
