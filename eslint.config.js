// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'coverage/', 'scratch/'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'test/harness/*.js', 'test/e2e/support/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      // @kubernetes/client-node models are classes holding plain data; object literals are its documented use.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    // Tests and the local harness are command-line programs: printing is their job.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'chaos/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  ...layerRules(),
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);

/**
 * The direction of the layers (README, "Development"): api <- model <- {postgres, kubernetes} <-
 * reconcile <- operator, with runtime (on api only) as plumbing for the adapters and the shell. The command line
 * sees only the API types and the REST client; the dashboard the same, plus the command line's shared code (its
 * page, bundled for the browser, not even the REST client). Each folder lists what it must not import.
 */
function layerRules() {
  const folders = (...names) => names.map((name) => `../${name}/*`);
  const everyOtherFolder = ['api', 'model', 'postgres', 'kubernetes', 'reconcile', 'runtime', 'cli', 'dashboard'];
  const operatorOnly = ['../operator.js', '../main.js'];
  const drivers = ['pg', '@kubernetes/client-node', 'undici', 'pino', 'prom-client'];
  const restClient = ['cluster-config', 'database-user-client', 'kube-api-error', 'kube-http', 'kube-objects', 'api-paths'];
  /** @type {Record<string, { folders: string[], packages?: string[], allow?: string[] }>} */
  const layers = {
    api: { folders: everyOtherFolder.filter((name) => name !== 'api'), packages: drivers },
    runtime: { folders: everyOtherFolder.filter((name) => !['api', 'runtime'].includes(name)), packages: ['pg', '@kubernetes/client-node', 'undici'] },
    model: { folders: everyOtherFolder.filter((name) => !['api', 'model'].includes(name)), packages: drivers },
    postgres: { folders: ['kubernetes', 'reconcile', 'cli', 'dashboard'], packages: ['@kubernetes/client-node', 'undici'] },
    kubernetes: { folders: ['model', 'postgres', 'reconcile', 'cli', 'dashboard'], packages: ['pg', '@kubernetes/client-node', 'undici'] },
    reconcile: { folders: ['cli', 'dashboard'], packages: ['pg', '@kubernetes/client-node', 'undici'] },
    cli: {
      // The dashboard only through the dynamic import of its command (run.ts), which this rule does not see.
      folders: ['model', 'postgres', 'reconcile', 'runtime', 'dashboard'],
      packages: drivers,
      // Of src/kubernetes, only the REST client and the objects it returns (ADR 10: a fast start).
      allow: restClient,
    },
    dashboard: { folders: ['model', 'postgres', 'reconcile', 'runtime'], packages: drivers, allow: restClient },
  };
  return [
    ...Object.entries(layers).map(([layer, rule]) => {
      const kubernetesExceptAllowed = rule.allow
        ? [
            {
              group: ['../kubernetes/*', ...rule.allow.map((file) => `!../kubernetes/${file}.js`)],
              message: `${layer} may import only the REST client files of src/kubernetes.`,
            },
          ]
        : [];
      return {
        files: [`src/${layer}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              paths: (rule.packages ?? []).map((name) => ({ name, message: `src/${layer} must not depend on ${name} (layer rules in eslint.config.js).` })),
              patterns: [
                {
                  group: [...folders(...rule.folders), ...operatorOnly],
                  message: `src/${layer} must not import from this layer (api <- model <- postgres|kubernetes <- reconcile <- operator).`,
                },
                ...kubernetesExceptAllowed,
              ],
            },
          ],
        },
      };
    }),
    pageRule(drivers),
  ];
}

/**
 * The dashboard's page runs in the browser: the API's rules, the wire types and the command line's
 * pure helpers, never Node, the REST client or the operator.
 */
function pageRule(drivers) {
  const up = (...names) => names.map((name) => `../../${name}/*`);
  return {
    files: ['src/dashboard/page/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: drivers.map((name) => ({ name, message: `the dashboard's page runs in the browser: no ${name}.` })),
          patterns: [
            { group: ['node:*'], message: "the dashboard's page runs in the browser: no Node modules." },
            {
              group: [...up('model', 'postgres', 'kubernetes', 'reconcile', 'runtime'), '../../operator.js', '../../main.js'],
              message: "the dashboard's page may import only src/api, the wire types and pure helpers.",
            },
            { group: ['../*.js', '!../wire.js'], message: "the dashboard's page shares only wire.ts with its server." },
          ],
        },
      ],
    },
  };
}
