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
    files: ['test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  ...layerRules(),
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);

/**
 * The direction of the layers (README, "Development"): api <- model <- {postgres, kubernetes} <-
 * reconcile <- operator, with runtime (on api only) as plumbing for the adapters and the shell. The command line
 * sees only the API types and the REST client. Each folder lists what it must not import.
 */
function layerRules() {
  const folders = (...names) => names.map((name) => `../${name}/*`);
  const everyOtherFolder = ['api', 'model', 'postgres', 'kubernetes', 'reconcile', 'runtime', 'cli'];
  const operatorOnly = ['../operator.js', '../main.js'];
  const drivers = ['pg', '@kubernetes/client-node', 'undici', 'pino', 'prom-client'];
  /** @type {Record<string, { folders: string[], packages?: string[], allow?: string[] }>} */
  const layers = {
    api: { folders: everyOtherFolder.filter((name) => name !== 'api'), packages: drivers },
    runtime: { folders: everyOtherFolder.filter((name) => !['api', 'runtime'].includes(name)), packages: ['pg', '@kubernetes/client-node', 'undici'] },
    model: { folders: everyOtherFolder.filter((name) => !['api', 'model'].includes(name)), packages: drivers },
    postgres: { folders: ['kubernetes', 'reconcile', 'cli'], packages: ['@kubernetes/client-node', 'undici'] },
    kubernetes: { folders: ['model', 'postgres', 'reconcile', 'cli'], packages: ['pg', '@kubernetes/client-node', 'undici'] },
    reconcile: { folders: ['cli'], packages: ['pg', '@kubernetes/client-node', 'undici'] },
    cli: {
      folders: ['model', 'postgres', 'reconcile', 'runtime'],
      packages: drivers,
      // Of src/kubernetes, only the REST client and the objects it returns (ADR 10: a fast start).
      allow: ['cluster-config', 'database-user-client', 'kube-api-error', 'kube-http', 'kube-objects', 'api-paths'],
    },
  };
  return Object.entries(layers).map(([layer, rule]) => {
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
  });
}
