import type { z } from 'zod';

/**
 * One validation rule written twice, side by side: as CEL for the API server (CRD
 * x-kubernetes-validations, enforced at `kubectl apply`) and as a predicate for the operator's own
 * check (admission can be bypassed). Keeping both in one object is what keeps them in step; the
 * integration suite proves the API server and zod agree on every rule.
 */
export interface CelRule<T> {
  rule: string;
  message: string;
  holds: (value: T) => boolean;
}

/** A CEL transition rule (uses oldSelf): only the API server can check it. */
export interface CelTransitionRule {
  rule: string;
  message: string;
}

export function celValidations(rules: readonly (CelRule<never> | CelTransitionRule)[]): { rule: string; message: string }[] {
  return rules.map(({ rule, message }) => ({ rule, message }));
}

/** Adds each rule's predicate to a zod schema, with the same message the API server gives. */
export function withRules<S extends z.ZodType>(schema: S, rules: readonly CelRule<z.output<S>>[]): S {
  return schema.superRefine((value, context) => {
    for (const rule of rules) {
      if (!rule.holds(value)) context.addIssue({ code: 'custom', message: rule.message });
    }
  });
}
