// Issue 22: the PrometheusRule's alerts, checked and unit-tested by promtool itself (built from its Go
// module by the global setup, test/harness/operations-tools.ts): `promtool check rules` on its spec and
// `promtool test rules` on test/monitoring/alerts.test.yaml, a test for every alert (test/unit/monitoring.test.ts).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { readHarnessState } from '../harness/harness-state.js';
import { repoRoot } from '../harness/paths.js';

const execFileAsync = promisify(execFile);

function promtoolPath(): string {
  const promtool = readHarnessState().tools?.promtool;
  if (!promtool) throw new Error('promtool was not built by the global setup');
  return promtool;
}

/** The PrometheusRule's spec as a Prometheus rule file, beside a copy of the promtool tests that name it. */
function writeRuleFiles(): { rules: string; tests: string } {
  const dir = path.join(readHarnessState().dir, `promtool-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rule = parse(readFileSync(path.join(repoRoot, 'deploy', 'monitoring', 'prometheus-rule.yaml'), 'utf8')) as { spec: unknown };
  const rules = path.join(dir, 'dbuser-operator.rules.yaml');
  writeFileSync(rules, stringify(rule.spec));
  const tests = path.join(dir, 'alerts.test.yaml');
  copyFileSync(path.join(repoRoot, 'test', 'monitoring', 'alerts.test.yaml'), tests);
  return { rules, tests };
}

describe('deploy/monitoring/prometheus-rule.yaml', () => {
  it('passes promtool check rules', async () => {
    const { rules } = writeRuleFiles();
    const { stdout } = await execFileAsync(promtoolPath(), ['check', 'rules', '--lint=all', '--lint-fatal', rules]);
    expect(stdout).toContain('SUCCESS: 7 rules found');
  });

  it('passes promtool test rules: every alert fires when it should, with its labels and annotations, and not otherwise', async () => {
    const { tests } = writeRuleFiles();
    const result = await execFileAsync(promtoolPath(), ['test', 'rules', tests]).catch((error: unknown) => error as { stdout: string; stderr: string });
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(`${result.stdout}${result.stderr}`).not.toContain('FAILED');
  });
});
