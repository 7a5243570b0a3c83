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
 * The rooms and who may enter them (README, "Development"; ADR 17). Each folder of src/ names the
 * folders and files it may import; everything else in src/ is refused. The core (api, model, the pure
 * part of reconcile) knows no adapter; adapters implement the ports reconcile declares; the people's
 * tools (cli, dashboard) share src/client and never import each other. A unit test
 * (test/unit/lint/layer-rules.test.ts) proves the rules fire.
 */
function layerRules() {
  const rooms = {
    api: { may: [] },
    model: { may: ['api'] },
    kube: { may: [], files: ['runtime/backoff.js'] },
    runtime: { may: ['api'] },
    postgres: { may: ['api', 'model', 'runtime'], files: ['reconcile/ports.js'] },
    kubernetes: { may: ['api', 'model', 'kube', 'runtime'], files: ['reconcile/ports.js'] },
    reconcile: { may: ['api', 'model', 'runtime'], files: ['kube/api-error.js', 'postgres/errors.js'] },
    client: { may: ['api', 'kube'], files: ['runtime/backoff.js', 'runtime/network-error.js'] },
    cli: { may: ['api', 'kube', 'client'], files: ['runtime/backoff.js', 'runtime/network-error.js'] },
    dashboard: { may: ['api', 'kube', 'client'], files: ['runtime/backoff.js', 'runtime/network-error.js'] },
  };

  /** decide() and its helpers: pure, so only the API, the model and each other. */
  const pureReconcileFiles = ['decide', 'deletion', 'password-decision', 'password-source', 'stored-credentials', 'status', 'events'];

  const drivers = ['pg', '@kubernetes/client-node', 'undici', 'pino', 'prom-client'];
  const driversOf = {
    api: drivers,
    model: drivers,
    kube: drivers,
    client: drivers,
    cli: drivers,
    dashboard: drivers,
    runtime: ['pg', '@kubernetes/client-node', 'undici'],
  };
  const folders = Object.keys(rooms);
  const operatorOnly = ['../operator.js', '../main.js'];
  const restricted = (room, from = '..') => {
    const { may, files = [] } = rooms[room];
    return folders
      .filter((folder) => folder !== room && !may.includes(folder))
      .map((folder) => ({
        group: [`${from}/${folder}/*`, ...files.filter((file) => file.startsWith(`${folder}/`)).map((file) => `!${from}/${file}`)],
        message: `src/${room} may import only ${[...may, ...files].join(', ') || 'nothing else in src/'} (rooms in eslint.config.js).`,
      }));
  };
  const rule = (files, room, patterns) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: (driversOf[room] ?? ['@kubernetes/client-node', 'undici']).map((name) => ({ name, message: `src/${room} must not depend on ${name}.` })),
          patterns: [...patterns, { group: operatorOnly, message: 'only the wiring imports operator.ts and main.ts.' }],
        },
      ],
    },
  });
  return [
    ...folders.map((room) => rule([`src/${room}/**/*.ts`], room, restricted(room))),
    rule(
      pureReconcileFiles.map((file) => `src/reconcile/${file}.ts`),
      'reconcile',
      [
        {
          group: folders.filter((folder) => !['api', 'model'].includes(folder)).map((folder) => `../${folder}/*`),
          message: 'decide() and its helpers are pure: only src/api and src/model.',
        },
      ],
    ),
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
              group: [
                ...up('model', 'postgres', 'kubernetes', 'kube', 'reconcile', 'runtime', 'client', 'cli'),
                '!../../client/new-user.js',
                '../../operator.js',
                '../../main.js',
              ],
              message: "the dashboard's page may import only src/api, the wire types and the pure helpers of src/client/new-user.ts.",
            },
            { group: ['../*.js', '!../wire.js'], message: "the dashboard's page shares only wire.ts with its server." },
          ],
        },
      ],
    },
  };
}
