// The CRD and the operator validate a spec twice (DESIGN §1): the API server with the CRD's schema
// and CEL rules, the operator with the zod schema the CRD is generated from. For generated specs
// (every field valid, a near miss of a rule, or the wrong type) both must decide alike: a spec the
// API server admits but zod refuses would sit at InvalidSpec, and one zod admits but the API server
// refuses could never be applied. Checked with server-side dry runs against the real API server.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { databaseUserSpecSchema, lifecycleRules, objectRules } from '../../src/api/database-user.js';
import { inParallel } from '../../bench/measure.js';
import { fuzzParameters } from '../unit/fuzz/fuzz-settings.js';
import { createTestContext, destroyTestContext } from './support/fixture.js';
import { fuzzedSpecArbitrary } from '../unit/fuzz/spec-arbitraries.js';

interface Verdict {
  spec: unknown;
  zod: string | undefined;
  server: string | undefined;
}

describe('generated DatabaseUser specs', () => {
  it('are admitted by the API server (CRD schema and CEL) exactly when the zod schema accepts them', async () => {
    const ctx = await createTestContext('fuzz-admission', { startOperator: false });
    try {
      const specs = fc.sample(fuzzedSpecArbitrary, fuzzParameters(400));
      const verdicts: Verdict[] = [];
      await inParallel(specs, 8, async (spec, i) => {
        // What the operator checks (reconciler.ts, validSpec): the zod schema, then the object and lifecycle rules.
        const parsed = databaseUserSpecSchema.safeParse(spec);
        const broken = parsed.success
          ? (objectRules.find((rule) => !rule.holds({ metadata: { name: `fuzz-${i}` }, spec: parsed.data })) ??
            lifecycleRules.find((rule) => !rule.holds(parsed.data)))
          : undefined;
        let server: string | undefined;
        try {
          await ctx.kube.custom.createNamespacedCustomObject({
            group: 'dbuser.dev',
            version: 'v1alpha1',
            namespace: ctx.namespace,
            plural: 'databaseusers',
            dryRun: 'All',
            body: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name: `fuzz-${i}` }, spec },
          });
        } catch (error) {
          const { code, body } = error as { code?: number; body?: unknown };
          if (code !== 422 && code !== 400) throw error;
          server = typeof body === 'string' ? ((JSON.parse(body) as { message?: string }).message ?? body) : String(body);
        }
        verdicts.push({
          spec,
          zod: parsed.success ? broken?.message : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
          server,
        });
      });
      const disagreements = verdicts.filter((verdict) => (verdict.zod === undefined) !== (verdict.server === undefined));
      const admitted = verdicts.filter((verdict) => verdict.server === undefined).length;
      process.stderr.write(
        `[fuzz-admission] ${verdicts.length} specs: ${admitted} admitted, ${verdicts.length - admitted} refused, ${disagreements.length} disagreements\n`,
      );
      expect(disagreements).toEqual([]);
      // Both sides of the rules were met.
      expect(admitted).toBeGreaterThan(verdicts.length / 10);
      expect(verdicts.length - admitted).toBeGreaterThan(verdicts.length / 10);
    } finally {
      await destroyTestContext(ctx);
    }
  }, 300_000);
});
