/** The commands, their flags and their help: the whole surface of `kubectl dbuser`, in one table. */

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help for a string flag, e.g. NAME. */
  value?: string;
  description: string;
}

export type CommandName = 'databases' | 'list' | 'create' | 'update-password' | 'delete' | 'dashboard';

export interface CommandSpec {
  name: CommandName;
  /** The hosting provider's long name (the dashboard has none: the provider's is a web page). */
  alias?: string;
  summary: string;
  usage: string;
  description: string;
  positionals: readonly string[];
  flags: Readonly<Record<string, FlagSpec>>;
  examples: readonly string[];
}

export const globalFlags = {
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NAME',
    description: 'the namespace of the Databases and DatabaseUsers (default: the context\'s, else "default")',
  },
  kubeconfig: { type: 'string', value: 'FILE', description: 'use this kubeconfig file only (default: $KUBECONFIG, merged, or ~/.kube/config)' },
  context: { type: 'string', value: 'NAME', description: 'the kubeconfig context to use (default: current-context)' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} as const satisfies Record<string, FlagSpec>;

const timeout: FlagSpec = { type: 'string', value: 'DURATION', description: 'how long to wait for the operator, e.g. 90s or 2m (default 60s)' };
const name: FlagSpec = { type: 'string', value: 'NAME', description: 'the DatabaseUser (metadata.name), when several in the namespace have this username' };
const database: FlagSpec = {
  type: 'string',
  value: 'NAME',
  description: "the Database (kubectl dbuser databases lists them; default: the namespace's only one)",
};
const output: FlagSpec = { type: 'string', short: 'o', value: 'FORMAT', description: 'wide (adds NAME, READY, REASON), json or yaml; default: the table' };
const passwordStdin: FlagSpec = { type: 'boolean', description: 'read the password from the first line of stdin (no prompt)' };
const generatePassword: FlagSpec = { type: 'boolean', description: 'let the operator generate a 64-character password (no prompt)' };

export const commands: readonly CommandSpec[] = [
  {
    name: 'databases',
    summary: 'List the Databases of the namespace',
    usage: 'kubectl dbuser databases [-o wide|json|yaml]',
    description:
      "Lists the namespace's Databases (the hosting provider's databases): the name --database takes, the database in\n" +
      'PostgreSQL, its server, its protected default user, how many users it has and whether it is ready. The\n' +
      "other commands act on the namespace's only Database, or on the one --database names.",
    positionals: [],
    flags: { output: { ...output, description: 'wide (adds REASON, MESSAGE), json or yaml; default: the table' } },
    examples: ['kubectl dbuser databases', 'kubectl dbuser databases -n shop -o wide', "kubectl dbuser databases -o json | jq -r '.[].name'"],
  },
  {
    name: 'list',
    alias: 'database-users-list',
    summary: 'List the database users of the namespace',
    usage: 'kubectl dbuser list [--database NAME] [-o wide|json|yaml]',
    description:
      "Lists the users of a Database in the hosting provider's table: username, read-only, protected and how\n" +
      'PostgreSQL stores the password. The default user comes first, then the others in the order they were created.\n' +
      'In a namespace without Databases: all its DatabaseUsers (each on its connection).',
    positionals: [],
    flags: { database, output },
    examples: [
      'kubectl dbuser list',
      'kubectl dbuser list --database my-app',
      'kubectl dbuser list -n shop -o wide',
      "kubectl dbuser list -o json | jq -r '.[].username'",
    ],
  },
  {
    name: 'create',
    alias: 'database-users-create',
    summary: 'Create a database user, with a chosen or generated password',
    usage: 'kubectl dbuser create [--read-only] <username> [flags]',
    description:
      'Creates a DatabaseUser on a Database (the one --database names, else the only one of the namespace) and waits\n' +
      'until the operator has created the role. In a namespace without Databases, or with --connection, the user\n' +
      "goes on that connection (or the operator's default one), --database naming the PostgreSQL database there.\n" +
      'On a terminal it asks for a password and its confirmation; leave it empty to have one generated, which is\n' +
      'printed once. A chosen password is stored in a Secret of its own ("<name>-password") before the DatabaseUser\n' +
      'is created. If the operator refuses the user (e.g. the role exists and is not managed by it), what was created\n' +
      'is removed again.',
    positionals: ['username'],
    flags: {
      'read-only': { type: 'boolean', description: "SELECT only; otherwise the provider's read-write grants" },
      protected: { type: 'boolean', description: 'cannot be deleted and its password cannot change until unprotected' },
      database: {
        type: 'string',
        value: 'NAME',
        description: "the Database (default: the namespace's only one); without Databases or with --connection: the PostgreSQL database",
      },
      connection: {
        type: 'string',
        value: 'SECRET',
        description: "the Secret with the server's admin credentials (default: the operator's default connection)",
      },
      'password-encryption': { type: 'string', value: 'METHOD', description: 'scram-sha-256 (default) or md5' },
      'valid-until': { type: 'string', value: 'TIME', description: 'RFC 3339 instant after which PostgreSQL refuses the password (VALID UNTIL)' },
      'connection-limit': { type: 'string', value: 'N', description: 'concurrent sessions allowed (CONNECTION LIMIT; default -1, unlimited)' },
      ttl: { type: 'string', value: 'DURATION', description: 'a temporary user, deleted with its role and Secret this long after creation' },
      'rotate-every': { type: 'string', value: 'DURATION', description: 'replace the generated password on this schedule, e.g. 720h (at least 1h)' },
      name: { type: 'string', value: 'NAME', description: 'the DatabaseUser\'s metadata.name (default: the username, lowercase, "_" as "-")' },
      'password-stdin': passwordStdin,
      'generate-password': generatePassword,
      timeout,
    },
    examples: [
      'kubectl dbuser create my_app_4553_rw',
      'kubectl dbuser create --read-only my_app_4553_ro --database my-app',
      'kubectl dbuser create my_app_4553 --protected --generate-password',
      'kubectl dbuser create ci_job_user --generate-password --ttl 2h --connection-limit 2',
      'kubectl dbuser create my_app_4553_rw --generate-password --rotate-every 720h --valid-until 2027-06-30T00:00:00Z',
      'printf \'%s\\n\' "$PASSWORD" | kubectl dbuser create reporting_user --password-stdin -n shop',
    ],
  },
  {
    name: 'update-password',
    alias: 'database-users-update-password',
    summary: 'Set a new password, chosen or generated',
    usage: 'kubectl dbuser update-password <username> [flags]',
    description:
      'Sets a new password and waits until the operator has applied it. On a terminal it asks for the password and\n' +
      'its confirmation; leave it empty to have a new one generated, which is printed once. A chosen password goes\n' +
      "to the user's password Secret; a generated one is a reset. Protected users are refused. With --database, a user\n" +
      'of another Database is refused.',
    positionals: ['username'],
    flags: { database, name, 'password-stdin': passwordStdin, 'generate-password': generatePassword, timeout },
    examples: [
      'kubectl dbuser update-password my_app_4553_rw',
      'kubectl dbuser update-password my_app_4553_rw --database my-app',
      'kubectl dbuser update-password my_app_4553_rw --generate-password',
      'printf \'%s\\n\' "$PASSWORD" | kubectl dbuser update-password my_app_4553_rw --password-stdin',
    ],
  },
  {
    name: 'delete',
    alias: 'database-users-delete',
    summary: 'Delete a database user',
    usage: 'kubectl dbuser delete <username> [flags]',
    description:
      'Deletes the DatabaseUser and waits until the operator has dropped the role (what it owns goes to the database\n' +
      'owner; with deletionPolicy Retain the role stays). Asks for confirmation on a terminal. Protected users are\n' +
      'refused; with --database, so is a user of another Database.',
    positionals: ['username'],
    flags: { database, name, yes: { type: 'boolean', short: 'y', description: 'do not ask for confirmation (needed without a terminal)' }, timeout },
    examples: ['kubectl dbuser delete my_app_4553_ro', 'kubectl dbuser delete my_app_4553_ro --database my-app --yes -n shop'],
  },
  {
    name: 'dashboard',
    summary: 'Open the Database Users page in a browser',
    usage: 'kubectl dbuser dashboard [--port N] [--no-open]',
    description:
      'Serves the Database Users page on 127.0.0.1 and opens it in the browser: the live table, Add a database user,\n' +
      'Reset password and Delete user, acting with your kubeconfig. The printed URL carries a one-time token;\n' +
      'anyone who has it acts as you until the command stops (Ctrl-C).',
    positionals: [],
    flags: {
      port: { type: 'string', value: 'N', description: 'the port on 127.0.0.1 (default: one the system chooses)' },
      'no-open': { type: 'boolean', description: 'print the URL only; do not open a browser' },
      timeout,
    },
    examples: ['kubectl dbuser dashboard', 'kubectl dbuser dashboard -n shop --port 8765 --no-open'],
  },
];

/** "list, create, update-password, delete or dashboard", for messages. */
export const commandNames = `${commands
  .slice(0, -1)
  .map((command) => command.name)
  .join(', ')} or ${commands.at(-1)?.name ?? ''}`;

export function findCommand(word: string): CommandSpec | undefined {
  return commands.find((command) => command.name === word || command.alias === word);
}

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const left = Object.entries(flags).map(([flag, spec]) => `${spec.short ? `-${spec.short}, ` : '    '}--${flag}${spec.value ? ` ${spec.value}` : ''}`);
  const width = Math.max(...left.map((text) => text.length));
  return Object.values(flags).map((spec, i) => `  ${(left[i] ?? '').padEnd(width)}   ${spec.description}`);
}

const exitCodes = 'Exit codes: 0 done, 1 refused, failed or timed out (the reason on stderr), 2 usage error, 130 interrupted (Ctrl-C, or\nCtrl-D at a prompt).';

export function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    "Manage PostgreSQL users of dbuser-operator with the hosting provider's commands and its dashboard.",
    '',
    'Usage:',
    '  kubectl dbuser <command> [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}${command.alias ? ` (alias: ${command.alias})` : ''}`),
    '',
    'Global flags (after "dbuser"):',
    ...flagLines(globalFlags),
    '',
    'Examples:',
    '  kubectl dbuser databases',
    '  kubectl dbuser list --database my-app',
    '  kubectl dbuser create --read-only my_app_4553_ro',
    '  kubectl dbuser update-password my_app_4553_rw',
    '  kubectl dbuser delete my_app_4553_ro',
    '  kubectl dbuser dashboard',
    '',
    exitCodes,
    'Run "kubectl dbuser <command> --help" for the flags of a command.',
    '',
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  return [
    command.description,
    '',
    'Usage:',
    `  ${command.usage}`,
    '',
    'Aliases:',
    `  ${command.name}${command.alias ? `, ${command.alias}` : ''}`,
    '',
    ...(Object.keys(command.flags).length > 0 ? ['Flags:', ...flagLines(command.flags), ''] : []),
    'Global flags:',
    ...flagLines(globalFlags),
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
    exitCodes,
    '',
  ].join('\n');
}
