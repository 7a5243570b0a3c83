// Issue 22: what operations teams plug in. The real programs check these in the integration suite
// (promtool, kube-state-metrics, a scrape of the operator); here, that the chart ships the same files as
// deploy/monitoring/, that no alert lacks a promtool test, and the PromQL reading the tests rely on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { repoRoot } from '../harness/paths.js';
import { dashboardQueries, metricNamesIn, metricNamesOfScrape, samplesOf } from '../integration/support/monitoring.js';

const read = (...parts: string[]) => readFileSync(path.join(repoRoot, ...parts), 'utf8');

interface AlertTest {
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

describe('deploy/monitoring and the chart', () => {
  it('ship the same dashboard, kube-state-metrics config and alert rules', () => {
    expect(read('charts', 'dbuser-operator', 'files', 'grafana-dashboard.json')).toBe(read('deploy', 'monitoring', 'grafana-dashboard.json'));
    expect(read('charts', 'dbuser-operator', 'files', 'kube-state-metrics.yaml')).toBe(read('deploy', 'monitoring', 'kube-state-metrics.yaml'));
    const rule = parse(read('deploy', 'monitoring', 'prometheus-rule.yaml')) as { spec: unknown };
    expect(parse(read('charts', 'dbuser-operator', 'files', 'prometheus-rule-spec.yaml'))).toEqual(rule.spec);
  });

  it('test every alert with promtool, both firing and quiet', () => {
    const rule = parse(read('deploy', 'monitoring', 'prometheus-rule.yaml')) as { spec: { groups: { rules: { alert?: string }[] }[] } };
    const alerts = rule.spec.groups.flatMap((group) => group.rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert])));
    expect(alerts).toHaveLength(7);
    const cases = (parse(read('test', 'monitoring', 'alerts.test.yaml')) as { tests: AlertTest[] }).tests.flatMap((test) => test.alert_rule_test);
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      expect([alert, own.some((c) => c.exp_alerts.length > 0), own.some((c) => c.exp_alerts.length === 0)]).toEqual([alert, true, true]);
    }
  });

  it('lay the dashboard out on its 24 columns without two panels sharing a cell', () => {
    const dashboard = JSON.parse(read('deploy', 'monitoring', 'grafana-dashboard.json')) as {
      panels: { id: number; gridPos: { x: number; y: number; w: number; h: number } }[];
    };
    const taken = new Map<string, number>();
    const clashes: string[] = [];
    for (const { id, gridPos } of dashboard.panels) {
      expect([id, gridPos.x + gridPos.w <= 24]).toEqual([id, true]);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          const other = taken.get(`${x},${y}`);
          if (other !== undefined) clashes.push(`${other} and ${id} at ${x},${y}`);
          taken.set(`${x},${y}`, id);
        }
    }
    expect(clashes).toEqual([]);
    expect(new Set(dashboard.panels.map(({ id }) => id)).size).toBe(dashboard.panels.length);
  });

  it("read at least one of the operator's metrics in every dashboard query", () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const { where, expression } of queries) {
      expect([where, metricNamesIn(expression).length > 0]).toEqual([where, true]);
    }
  });
});

describe('metricNamesIn', () => {
  it.each([
    ['sum by (result) (rate(dbuser_operator_reconcile_total{job=~"$job"}[$__rate_interval]))', ['dbuser_operator_reconcile_total']],
    ['histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="y"}[5m])))', ['a_bucket']],
    ['sum(rate(a_sum[5m])) / sum(rate(a_count[5m]))', ['a_sum', 'a_count']],
    ['absent(up{job="x"} == 1)', ['up']],
    ['max without (instance, pod) (x) > 0 and on (job) y', ['x', 'y']],
    ['dbuser_operator_leader', ['dbuser_operator_leader']],
  ])('%s', (expression, names) => {
    expect(metricNamesIn(expression)).toEqual(names);
  });
});

describe('reading a scrape', () => {
  const text = [
    '# HELP a_total help',
    '# TYPE a_total counter',
    'a_total{result="done"} 3',
    'b_bucket{le="+Inf"} 1',
    'kube_x_ready{namespace="n",reason="Reconciled"} 1',
    'kube_x_info{a="x\\"y"} 1',
  ].join('\n');

  it('finds metric names, not comments', () => {
    expect([...metricNamesOfScrape(text)]).toEqual(['a_total', 'b_bucket', 'kube_x_ready', 'kube_x_info']);
  });

  it('parses samples with their labels', () => {
    expect(samplesOf(text, 'kube_x_')).toEqual([
      { name: 'kube_x_ready', labels: { namespace: 'n', reason: 'Reconciled' }, value: 1 },
      { name: 'kube_x_info', labels: { a: 'x\\"y' }, value: 1 },
    ]);
  });
});
