import * as z from 'zod';

/** metav1.LabelSelector, as Kubernetes defines it: an empty selector matches everything. */
export const labelSelectorSchema = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string().min(1),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ description: 'A label selector, as elsewhere in Kubernetes: {} matches every namespace.' });

export type LabelSelector = z.output<typeof labelSelectorSchema>;

/** Whether the labels match the selector, by Kubernetes' rules (all requirements must hold). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      const value = labels[key];
      switch (operator) {
        case 'In':
          return value !== undefined && values.includes(value);
        case 'NotIn':
          return value === undefined || !values.includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
      }
    })
  );
}

/** A label selector in Kubernetes' text form that cannot be read: the message says where and why. */
export class LabelSelectorSyntaxError extends Error {}

const namePart = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function checkKey(key: string, requirement: string): string {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix));
  if (!prefixOk || !namePart.test(name)) throw new LabelSelectorSyntaxError(`"${requirement}": "${key}" is not a label key (e.g. sharding.fluxcd.io/key)`);
  return key;
}

function checkValue(value: string, requirement: string): string {
  if (!labelValue.test(value))
    throw new LabelSelectorSyntaxError(`"${requirement}": "${value}" is not a label value (63 characters at most: letters, digits, -, _ and .)`);
  return value;
}

/** The requirements of a selector text, split at the commas that are not inside parentheses. */
function requirementsOf(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

const setRequirement = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/;
const equality = /^([^\s=!]+)\s*(==|=|!=)\s*(\S*)$/;

/**
 * Kubernetes' text form of a label selector, as `kubectl -l` and `?labelSelector=` take it
 * (`sharding.fluxcd.io/key in (shard1)`, `!sharding.fluxcd.io/key`, `team=shop,tier!=dev`), read into
 * the structured form selectorMatches() evaluates. The empty text matches everything. Throws
 * LabelSelectorSyntaxError naming the requirement it cannot read.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  if (text.trim() === '') return {};
  for (const requirement of requirementsOf(text)) {
    if (requirement === '') throw new LabelSelectorSyntaxError(`"${text}": an empty requirement (a stray comma?)`);
    const set = setRequirement.exec(requirement);
    if (set) {
      const [, key = '', operator, list = ''] = set;
      const values = list.split(',').map((value) => checkValue(value.trim(), requirement));
      if (values.length === 1 && values[0] === '') throw new LabelSelectorSyntaxError(`"${requirement}": the list of values is empty`);
      matchExpressions.push({ key: checkKey(key, requirement), operator: operator === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    const compared = equality.exec(requirement);
    if (compared) {
      const [, key = '', operator, value = ''] = compared;
      matchExpressions.push({ key: checkKey(key, requirement), operator: operator === '!=' ? 'NotIn' : 'In', values: [checkValue(value, requirement)] });
      continue;
    }
    if (requirement.startsWith('!')) {
      matchExpressions.push({ key: checkKey(requirement.slice(1).trim(), requirement), operator: 'DoesNotExist' });
      continue;
    }
    if (/^\S+$/.test(requirement) && !/[()=!]/.test(requirement)) {
      matchExpressions.push({ key: checkKey(requirement, requirement), operator: 'Exists' });
      continue;
    }
    throw new LabelSelectorSyntaxError(`"${requirement}" is not a requirement: expected key, !key, key=value, key!=value, key in (a,b) or key notin (a,b)`);
  }
  return { matchExpressions };
}
