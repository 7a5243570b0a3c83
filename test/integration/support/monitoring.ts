import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../harness/paths.js';

/** Words of PromQL that look like metric names but are not (functions and aggregations are followed by "("). */
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
 * grouping label lists, functions and keywords are taken out.
 */
export function metricNamesIn(expression: string): string[] {
  const text = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = text.slice(match.index + match[0].length).trimStart();
    if (rest.startsWith('(') || keywords.has(match[0])) continue;
    names.add(match[0]);
  }
  return [...names];
}

interface DashboardPanel {
  title?: string;
  type: string;
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}

interface Dashboard {
  panels: DashboardPanel[];
  templating: { list: { name: string; query?: string | { query?: string } }[] };
}

export const dashboardFile = path.join(repoRoot, 'deploy', 'monitoring', 'grafana-dashboard.json');

/** Every PromQL query of the dashboard: each panel's targets and each query variable, with where it is. */
export function dashboardQueries(file = dashboardFile): { where: string; expression: string }[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const queries: { where: string; expression: string }[] = [];
  const visit = (panel: DashboardPanel): void => {
    for (const target of panel.targets ?? [])
      if (target.expr !== undefined) queries.push({ where: `panel "${panel.title ?? panel.type}"`, expression: target.expr });
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels) visit(panel);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    // label_values(<series selector>, <label>) reads the selector's metric.
    const selector = query === undefined ? undefined : /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
    if (selector !== undefined) queries.push({ where: `variable "${variable.name}"`, expression: selector });
  }
  return queries;
}

/** Grafana's variables, replaced by values a plain PromQL parser accepts. */
export function withoutGrafanaVariables(expression: string): string {
  return expression.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+');
}

/** Metric names in a Prometheus text exposition (histograms and summaries by their series' names). */
export function metricNamesOfScrape(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line)?.[1];
    if (name !== undefined) names.add(name);
  }
  return names;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition whose name starts with `prefix`. */
export function samplesOf(text: string, prefix: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}
