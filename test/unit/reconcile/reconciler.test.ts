import type { DatabaseUser } from '../../../src/api/database-user.js';
import type { Database } from '../../../src/api/database.js';
import { finalizerName, resetPasswordAnnotation, shardKeyLabel } from '../../../src/api/names.js';
import { KubeApiError } from '../../../src/kube/api-error.js';
import { verifierDigest } from '../../../src/model/password-verifier.js';
import { PostgresError } from '../../../src/postgres/errors.js';
import { ConnectionResolver } from '../../../src/reconcile/connection-resolver.js';
import { DatabaseUserReconciler } from '../../../src/reconcile/reconciler.js';
import { createLogger } from '../../../src/runtime/logger.js';
import { passwordSource, RecordingKubernetes, RecordingPostgres, referencedSecret, type Journal } from './recording-ports.js';

// The reconcile shell against recording fakes of its two ports: what it writes, in which order,
// and what it leaves alone. The same behaviours are proved against the real components by the
// integration suite; these run in milliseconds.

const namespace = 'shop';
const logger = createLogger('silent');

const start = new Date('2026-12-03T10:00:00Z');

function setup(options: { defaultConnection?: boolean; databaseInShard?: (database: Database) => boolean } = {}) {
  const journal: Journal = [];
  const kubernetes = new RecordingKubernetes(journal);
  const postgres = new RecordingPostgres(journal);
  kubernetes.referencedSecrets.set(
    'operator/default-connection',
    referencedSecret('1', { host: 'db.example', port: '5432', username: 'postgres', password: 'admin-secret', dbname: 'shop' }),
  );
  const connections = new ConnectionResolver(
    (secretNamespace, name) => kubernetes.secretContents(secretNamespace, name),
    options.defaultConnection === false ? undefined : { namespace: 'operator', name: 'default-connection' },
  );
  let generated = 0;
  const clock = { now: start };
  const reconciler = new DatabaseUserReconciler({
    kubernetes,
    postgres,
    connections,
    clusterId: 'cluster-1',
    operatorNamespace: 'operator',
    operatorIdentity: 'system:serviceaccount:dbuser-system:dbuser-operator',
    minRotationMs: 3_600_000,
    now: () => clock.now,
    generatePassword: () => `generated-${String((generated += 1))}`.padEnd(64, 'x'),
    ...(options.databaseInShard === undefined ? {} : { databaseInShard: options.databaseInShard }),
  });
  const reconcile = async (key: string) => {
    journal.length = 0;
    return reconciler.reconcile(key, logger);
  };
  return { journal, kubernetes, postgres, reconcile, clock };
}

function databaseUser(name: string, spec: Record<string, unknown>, metadata: Partial<DatabaseUser['metadata']> = {}): DatabaseUser {
  return { metadata: { name, namespace, uid: `uid-${name}`, generation: 1, ...metadata }, spec };
}

const writes = (journal: Journal) => journal.filter((entry) => !entry.startsWith('postgres: lock') && !entry.startsWith('postgres: unlock'));

function readyOf(kubernetes: RecordingKubernetes, key: string) {
  return kubernetes.user(key)?.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** The condition types and statuses, in order: Ready first, then the kstatus pair when present. */
function conditionsOf(kubernetes: RecordingKubernetes, key: string) {
  return kubernetes.user(key)?.status?.conditions?.map((condition) => `${condition.type}=${condition.status} ${condition.reason}`);
}

describe('a new user', () => {
  it('gets its finalizer, then its Secret, then its role, then one status write and one Event', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));

    expect(await reconcile(key)).toEqual({ kind: 'done' });

    expect(journal).toEqual([
      `kubernetes: finalizers [${finalizerName}]`,
      'kubernetes: apply Secret my-user-credentials',
      'postgres: lock my_user',
      'postgres: lock database shop',
      'postgres: createGroup, grantGroupPrivileges, createGroup, grantGroupPrivileges, createRole, grantMembership, grantDefaultPrivileges',
      'postgres: unlock my_user',
      'event: Normal Created',
      'kubernetes: status Ready=True Reconciled',
    ]);
    const password = kubernetes.storedPassword(namespace, 'my-user-credentials');
    expect(password).toHaveLength(64);
    expect(postgres.logsIn('my_user', password ?? '')).toBe(true);
    expect(kubernetes.user(key)?.status).toMatchObject({ username: 'my_user', readOnly: false, secretName: 'my-user-credentials', observedGeneration: 1 });
  });

  it('created with its finalizer (the API server put it on, ADR 23): the same writes but the finalizer patch', async () => {
    const { journal, kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }, { finalizers: [finalizerName] }));

    expect(await reconcile(key)).toEqual({ kind: 'done' });

    expect(writes(journal)).toEqual([
      'kubernetes: apply Secret my-user-credentials',
      'postgres: createGroup, grantGroupPrivileges, createGroup, grantGroupPrivileges, createRole, grantMembership, grantDefaultPrivileges',
      'event: Normal Created',
      'kubernetes: status Ready=True Reconciled',
    ]);
    expect(kubernetes.user(key)?.metadata.finalizers).toEqual([finalizerName]);
  });

  it('takes the role lock while its Secret is being written, but changes the role only once the Secret is written', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    let answer: () => void = () => undefined;
    kubernetes.nextCredentialsWrite = new Promise((resolve) => {
      answer = resolve;
    });
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }, { finalizers: [finalizerName] }));

    const reconciled = reconcile(key);
    await new Promise((resolve) => setImmediate(resolve));
    expect(journal).toEqual(['kubernetes: apply Secret my-user-credentials', 'postgres: lock my_user', 'postgres: lock database shop']);
    expect(postgres.roles.has('my_user')).toBe(false);
    answer();

    expect(await reconciled).toEqual({ kind: 'done' });
    expect(journal.slice(3, 5)).toEqual([
      'kubernetes: Secret my-user-credentials applied',
      'postgres: createGroup, grantGroupPrivileges, createGroup, grantGroupPrivileges, createRole, grantMembership, grantDefaultPrivileges',
    ]);
  });

  it('whose Secret cannot be written gets no role: the transaction is given up and the failure reported', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    kubernetes.nextCredentialsWrite = Promise.reject(
      new KubeApiError(503, 'ServiceUnavailable', 'the API server is restarting', 'PATCH', '/api/v1/namespaces/shop/secrets/my-user-credentials'),
    );
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }, { finalizers: [finalizerName] }));

    expect(await reconcile(key)).toEqual({ kind: 'retry' });

    expect(postgres.roles.has('my_user')).toBe(false);
    expect(journal.filter((entry) => entry.startsWith('postgres: '))).toEqual([
      'postgres: lock my_user',
      'postgres: lock database shop',
      'postgres: unlock my_user',
    ]);
    expect(kubernetes.storedPassword(namespace, 'my-user-credentials')).toBeUndefined();
    // The Secret's own failure is reported, not the transaction given up for it.
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'False', reason: 'ReconcileError' });
    expect(readyOf(kubernetes, key)?.message).toContain('Kubernetes API: PATCH /api/v1/namespaces/shop/secrets/my-user-credentials: 503');
  });

  it('with a chosen password stores that password and records the Secret version it came from', async () => {
    const { kubernetes, postgres, reconcile } = setup();
    const chosen = 'a-chosen-password-of-24-chars-or-more';
    kubernetes.referencedSecrets.set(`${namespace}/my-password`, passwordSource('7', { password: chosen }));
    const key = kubernetes.addUser(
      databaseUser('my-user', { username: 'my_user', readOnly: true, passwordSecretRef: { name: 'my-password', key: 'password' } }),
    );

    await reconcile(key);

    expect(kubernetes.storedPassword(namespace, 'my-user-credentials')).toBe(chosen);
    expect(postgres.logsIn('my_user', chosen)).toBe(true);
    expect(postgres.roles.get('my_user')?.memberOf).toEqual([postgres.groupOf(true)]);
    expect(kubernetes.user(key)?.status?.passwordSecretResourceVersion).toBe('7');
  });

  it('on a connection Secret of its namespace marks that Secret in use before it takes its own finalizer', async () => {
    const { journal, kubernetes, reconcile } = setup();
    kubernetes.referencedSecrets.set(`${namespace}/shop-admin`, referencedSecret('3', { uri: 'postgresql://postgres:pw@db.example/shop' }));
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user', connection: { secretName: 'shop-admin' } }));

    await reconcile(key);

    expect(writes(journal).slice(0, 3)).toEqual([
      'kubernetes: connection Secret shop-admin in use',
      `kubernetes: finalizers [${finalizerName}]`,
      'kubernetes: apply Secret my-user-credentials',
    ]);
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'True' });
  });

  it("on the operator's default connection leaves that Secret alone (its namespace is the operator's own)", async () => {
    const { kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));

    await reconcile(key);

    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'True' });
    expect(kubernetes.protectedConnections.size).toBe(0);
  });
});

describe('the verifier record (ADR 28)', () => {
  const recordedDigest = (kubernetes: RecordingKubernetes) => {
    const secret = kubernetes.credentials.get(`${namespace}/my-user-credentials`);
    return secret === undefined || secret === 'unmanaged' ? undefined : secret.verifierDigest;
  };

  it('a new password: the Secret records the digest of the very verifier the role gets', async () => {
    const { kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await reconcile(key);
    const password = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    const verifier = postgres.roles.get('my_user')?.password?.verifier;
    expect(verifier).toBe(`verifier(SCRAM-SHA-256, my_user, ${password})`);
    expect(recordedDigest(kubernetes)).toBe(verifierDigest(verifier ?? ''));

    kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, annotations: { [resetPasswordAnnotation]: 'reset-1' } } }));
    await reconcile(key);
    const fresh = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    expect(postgres.roles.get('my_user')?.password?.verifier).toBe(`verifier(SCRAM-SHA-256, my_user, ${fresh})`);
    expect(recordedDigest(kubernetes)).toBe(verifierDigest(`verifier(SCRAM-SHA-256, my_user, ${fresh})`));
  });
});

describe('an idle reconcile', () => {
  it('writes nothing, records no Event and takes no lock', async () => {
    const { journal, kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await reconcile(key);
    const status = kubernetes.user(key)?.status;

    expect(await reconcile(key)).toEqual({ kind: 'done' });

    expect(journal).toEqual([]);
    expect(kubernetes.user(key)?.status).toEqual(status);
  });

  it('repairs drift in PostgreSQL without rewriting the Secret or the status', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await reconcile(key);
    const role = postgres.roles.get('my_user');
    if (role) role.attributes.createDb = true;

    await reconcile(key);

    expect(writes(journal)).toEqual(['postgres: alterAttributes', 'event: Normal Updated']);
    expect(postgres.roles.get('my_user')?.attributes.createDb).toBe(false);
  });
});

describe('a password reset', () => {
  it('stores the new password in the Secret before the role gets it', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await reconcile(key);
    const old = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, annotations: { [resetPasswordAnnotation]: 'reset-1' } } }));

    await reconcile(key);

    expect(writes(journal)).toEqual([
      'kubernetes: apply Secret my-user-credentials (force)',
      'postgres: setPassword',
      'event: Normal Updated',
      'kubernetes: status Ready=True Reconciled',
    ]);
    const fresh = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    expect(fresh).not.toBe(old);
    expect(postgres.logsIn('my_user', fresh)).toBe(true);
    expect(postgres.logsIn('my_user', old)).toBe(false);
    expect(kubernetes.user(key)?.status?.lastPasswordReset).toBe('reset-1');
  });

  it('of a protected user is refused: nothing changes but the status', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user', protected: true }));
    await reconcile(key);
    const password = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, annotations: { [resetPasswordAnnotation]: 'reset-1' } } }));

    await reconcile(key);

    expect(journal).toEqual(['event: Warning PasswordResetRefused', 'kubernetes: status Ready=False PasswordResetRefused']);
    expect(kubernetes.storedPassword(namespace, 'my-user-credentials')).toBe(password);
    expect(postgres.logsIn('my_user', password)).toBe(true);
  });
});

describe('refusals', () => {
  it.each([
    {
      reason: 'SecretConflict',
      arrange: ({ kubernetes }: ReturnType<typeof setup>) => kubernetes.credentials.set(`${namespace}/my-user-credentials`, 'unmanaged'),
      spec: { username: 'my_user' },
    },
    {
      reason: 'RoleConflict',
      arrange: ({ postgres }: ReturnType<typeof setup>) => {
        postgres.addForeignRole('my_user', 'someone-elses-password');
      },
      spec: { username: 'my_user' },
    },
    {
      reason: 'PasswordPolicyViolation',
      arrange: ({ kubernetes }: ReturnType<typeof setup>) =>
        kubernetes.referencedSecrets.set(`${namespace}/my-password`, passwordSource('1', { password: 'too-short' })),
      spec: { username: 'my_user', passwordSecretRef: { name: 'my-password', key: 'password' } },
    },
    {
      reason: 'PasswordSecretInvalid',
      arrange: () => undefined,
      spec: { username: 'my_user', passwordSecretRef: { name: 'missing', key: 'password' } },
    },
    { reason: 'InvalidSpec', arrange: () => undefined, spec: { username: 'short' } },
    {
      reason: 'ConnectionSecretInvalid',
      arrange: ({ kubernetes }: ReturnType<typeof setup>) =>
        kubernetes.referencedSecrets.set(`${namespace}/bad-connection`, referencedSecret('1', { host: 'db' })),
      spec: { username: 'my_user', connection: { secretName: 'bad-connection' } },
    },
  ])('$reason: one status write and one Warning, no finalizer, no Secret, no role; nothing more on the next pass', async ({ reason, arrange, spec }) => {
    const world = setup();
    const { journal, kubernetes, postgres, reconcile } = world;
    arrange(world);
    const rolesBefore = structuredClone([...postgres.roles]);
    const key = kubernetes.addUser(databaseUser('my-user', spec));

    expect(await reconcile(key)).toEqual({ kind: 'done' });

    expect(journal).toEqual([`event: Warning ${reason}`, `kubernetes: status Ready=False ${reason}`]);
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'False', reason });
    // Terminal: Stalled in the same (only) status write, so GitOps tooling fails at once with the reason.
    expect(conditionsOf(kubernetes, key)).toEqual([`Ready=False ${reason}`, `Stalled=True ${reason}`]);
    expect(kubernetes.user(key)?.metadata.finalizers).toBeUndefined();
    expect([...postgres.roles]).toEqual(rolesBefore);

    await reconcile(key);
    expect(journal).toEqual([]);
  });

  // Security review, finding 1: a chosen password comes only from a Secret that opted in as a password source.
  describe('finding 1 (passwordSecretRef as a confused deputy)', () => {
    const admin = referencedSecret('3', { uri: 'postgresql://postgres:the-admin-password-is-long@db.example/shop', password: 'the-admin-password-is-long' });
    const refusal = async (spec: Record<string, unknown>, arrange: (world: ReturnType<typeof setup>) => void) => {
      const world = setup();
      arrange(world);
      const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user', ...spec }));
      await world.reconcile(key);
      expect(world.journal).toEqual(['event: Warning PasswordSecretInvalid', 'kubernetes: status Ready=False PasswordSecretInvalid']);
      expect([...world.postgres.roles.keys()]).not.toContain('my_user');
      return readyOf(world.kubernetes, key)?.message ?? '';
    };

    it('never reads a password from the connection Secret, even one labelled a password source', async () => {
      const message = await refusal(
        { connection: { secretName: 'shop-admin' }, passwordSecretRef: { name: 'shop-admin', key: 'password' } },
        ({ kubernetes }) => {
          kubernetes.referencedSecrets.set(`${namespace}/shop-admin`, { ...admin, labels: { 'dbuser.dev/password-source': 'true' } });
        },
      );
      expect(message).toContain('holds admin credentials for a connection');
    });

    it('never reads a password from the default connection Secret', async () => {
      const world = setup();
      const key = world.kubernetes.addUser({
        metadata: { name: 'my-user', namespace: 'operator', uid: 'uid-x', generation: 1 },
        spec: { username: 'my_user', passwordSecretRef: { name: 'default-connection', key: 'password' } },
      });
      await world.reconcile(key);
      expect(readyOf(world.kubernetes, key)?.reason).toBe('PasswordSecretInvalid');
      expect(readyOf(world.kubernetes, key)?.message).toContain('admin credentials');
    });

    it('never reads a password from a credentials Secret the operator wrote', async () => {
      const world = setup();
      const other = world.kubernetes.addUser(databaseUser('other', { username: 'other_user' }));
      await world.reconcile(other);
      const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user', passwordSecretRef: { name: 'other-credentials', key: 'password' } }));
      await world.reconcile(key);
      expect(readyOf(world.kubernetes, key)?.reason).toBe('PasswordSecretInvalid');
      expect(readyOf(world.kubernetes, key)?.message).toContain('which dbuser-operator writes');
      expect([...world.postgres.roles.keys()]).not.toContain('my_user');
    });

    it('tells a Secret that did not opt in from an absent one in no way (the same message, nothing about its keys)', async () => {
      const unlabelled = await refusal({ passwordSecretRef: { name: 'api-key', key: 'token' } }, ({ kubernetes }) => {
        kubernetes.referencedSecrets.set(`${namespace}/api-key`, referencedSecret('4', { other: 'x'.repeat(40) }));
      });
      const absent = await refusal({ passwordSecretRef: { name: 'api-key', key: 'token' } }, () => undefined);
      expect(unlabelled).toBe(absent);
      expect(absent).toContain('dbuser.dev/password-source=true');
    });

    it('reads a Secret labelled a password source', async () => {
      const world = setup();
      world.kubernetes.referencedSecrets.set(`${namespace}/my-password`, passwordSource('5', { password: 'a-chosen-password-of-24-chars-or-more' }));
      const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user', passwordSecretRef: { name: 'my-password', key: 'password' } }));
      await world.reconcile(key);
      expect(readyOf(world.kubernetes, key)?.status).toBe('True');
      expect(world.kubernetes.storedPassword(namespace, 'my-user-credentials')).toBe('a-chosen-password-of-24-chars-or-more');
    });
  });

  // Security review, finding 5: values admission refuses, met by an operator whose admission was bypassed.
  it.each([
    ['username public', { username: 'public' }],
    ['username PUBLIC', { username: 'PUBLIC' }],
    ['username current_user', { username: 'current_user' }],
    ['username Session_User', { username: 'Session_User' }],
    ['username current_role', { username: 'current_role' }],
    ['database template0', { username: 'my_user', database: 'template0' }],
    ['database postgres', { username: 'my_user', database: 'postgres' }],
    ['database with NUL', { username: 'my_user', database: 'shop\u0000x' }],
    ['database of 64 bytes', { username: 'my_user', database: 'é'.repeat(32) }],
    ['validUntil in year 0000', { username: 'my_user', validUntil: '0000-06-01T00:00:00Z' }],
    ['validUntil at offset -23:59', { username: 'my_user', validUntil: '2030-01-01T00:00:00-23:59' }],
    ['ttl beyond 100 years', { username: 'my_user', ttl: '99999999999h' }],
    ['rotation beyond 100 years', { username: 'my_user', passwordRotation: { every: '1000000h' } }],
  ])('finding 5: %s is InvalidSpec (Stalled) before anything is written, never a retry loop', async (_, spec) => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', spec));
    expect(await reconcile(key)).toEqual({ kind: 'done' });
    expect(journal).toEqual(['event: Warning InvalidSpec', 'kubernetes: status Ready=False InvalidSpec']);
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=False InvalidSpec', 'Stalled=True InvalidSpec']);
    expect(postgres.roles.size).toBe(0);
    expect(kubernetes.credentials.size).toBe(0);
  });

  it('a fixed spec: Ready in one status write, Stalled gone', async () => {
    const { journal, kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'short' }));
    await reconcile(key);
    kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, generation: 2 }, spec: { username: 'my_user' } }));

    await reconcile(key);

    expect(journal.filter((entry) => entry.includes('status'))).toEqual(['kubernetes: status Ready=True Reconciled']);
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=True Reconciled']);
    expect(readyOf(kubernetes, key)?.observedGeneration).toBe(2);
  });

  it('NoConnection when neither the spec nor the operator names one', async () => {
    const { journal, kubernetes, reconcile } = setup({ defaultConnection: false });
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));

    await reconcile(key);

    expect(journal).toEqual(['event: Warning NoConnection', 'kubernetes: status Ready=False NoConnection']);
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=False NoConnection', 'Stalled=True NoConnection']);
  });

  it('a PostgreSQL outage is reported once and retried with backoff', async () => {
    const { journal, kubernetes, postgres, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    postgres.failNextObserve = new PostgresError('unavailable', 'ECONNREFUSED', 'connect ECONNREFUSED db.example:5432', { cause: undefined });

    expect(await reconcile(key)).toEqual({ kind: 'retry' });
    expect(journal).toEqual(['event: Warning ServerUnavailable', 'kubernetes: status Ready=False ServerUnavailable']);
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=False ServerUnavailable', 'Reconciling=True ServerUnavailable']);

    expect(await reconcile(key)).toEqual({ kind: 'done' });
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'True' });
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=True Reconciled']);
  });
});

describe('a lost race', () => {
  it('a DatabaseUser changed since it was read: retried quietly, no status written, the Secret kept', async () => {
    const { journal, kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    // Someone edits the object between the read and the first write.
    const original = kubernetes.user.bind(kubernetes);
    kubernetes.user = (wanted) => {
      const user = original(wanted);
      kubernetes.editUser(wanted, (edited) => edited);
      kubernetes.user = original;
      return user;
    };

    expect(await reconcile(key)).toEqual({ kind: 'retry' });
    expect(journal).toEqual([]);

    await reconcile(key);
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'True' });
  });
});

describe('deletion', () => {
  async function deleting(spec: Record<string, unknown>) {
    const world = setup();
    const key = world.kubernetes.addUser(databaseUser('my-user', spec));
    await world.reconcile(key);
    world.kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, deletionTimestamp: '2026-12-03T10:05:00Z' } }));
    await world.reconcile(key);
    return { ...world, key };
  }

  it('Delete: the role is dropped, then the Secret deleted, then the finalizer released', async () => {
    const { journal, kubernetes, postgres, key } = await deleting({ username: 'my_user' });

    expect(writes(journal)).toEqual([
      'postgres: drop my_user',
      'kubernetes: delete Secret my-user-credentials',
      'event: Normal Deleted',
      'kubernetes: finalizers []',
    ]);
    expect(postgres.roles.has('my_user')).toBe(false);
    expect(kubernetes.users.has(key)).toBe(false);
  });

  it('Retain: the role stays and the Secret loses its owner reference', async () => {
    const { journal, kubernetes, postgres } = await deleting({ username: 'my_user', deletionPolicy: 'Retain' });

    expect(writes(journal)).toEqual(['kubernetes: apply Secret my-user-credentials (force)', 'event: Normal Retained', 'kubernetes: finalizers []']);
    expect(postgres.roles.has('my_user')).toBe(true);
    const secret = kubernetes.credentials.get(`${namespace}/my-user-credentials`);
    expect(secret !== 'unmanaged' && secret?.ownerUids).toEqual([]);
  });

  it('a protected user is kept: DeletionBlocked, the finalizer stays', async () => {
    const { journal, kubernetes, postgres, key } = await deleting({ username: 'my_user', protected: true });

    expect(journal).toEqual(['event: Warning DeletionBlocked', 'kubernetes: status Ready=False DeletionBlocked']);
    expect(conditionsOf(kubernetes, key)).toEqual(['Ready=False DeletionBlocked', 'Stalled=True DeletionBlocked']);
    expect(postgres.roles.has('my_user')).toBe(true);
    expect(kubernetes.user(key)?.metadata.finalizers).toEqual([finalizerName]);
  });

  it('a user refused before any change, carrying the finalizer from its create, goes at once: no cleanup, the finalizer released', async () => {
    const world = setup({ defaultConnection: false });
    const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }, { finalizers: [finalizerName] }));
    await world.reconcile(key);
    expect(readyOf(world.kubernetes, key)).toMatchObject({ status: 'False', reason: 'NoConnection' });
    world.kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, deletionTimestamp: '2026-12-03T10:05:00Z' } }));

    await world.reconcile(key);

    expect(writes(world.journal)).toEqual(['kubernetes: finalizers []']);
    expect(world.kubernetes.users.has(key)).toBe(false);
  });

  it('a user whose Secret was written but whose status was not (a crash between the two) is still cleaned up', async () => {
    const world = setup();
    const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }, { finalizers: [finalizerName] }));
    await world.reconcile(key);
    expect(world.postgres.roles.has('my_user')).toBe(true);
    world.kubernetes.editUser(key, (user) => ({ metadata: { ...user.metadata, deletionTimestamp: '2026-12-03T10:05:00Z' }, spec: user.spec }));

    await world.reconcile(key);

    expect(world.postgres.roles.has('my_user')).toBe(false);
    expect(writes(world.journal).at(-1)).toBe('kubernetes: finalizers []');
  });

  it('a role that is not ours is left in PostgreSQL', async () => {
    const world = setup();
    const key = world.kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await world.reconcile(key);
    const role = world.postgres.roles.get('my_user');
    if (role) role.comment = null;
    world.kubernetes.editUser(key, (user) => ({ ...user, metadata: { ...user.metadata, deletionTimestamp: '2026-12-03T10:05:00Z' } }));

    await world.reconcile(key);

    expect(writes(world.journal)).toEqual(['kubernetes: delete Secret my-user-credentials', 'event: Warning RoleNotDropped', 'kubernetes: finalizers []']);
    expect(world.postgres.roles.has('my_user')).toBe(true);
  });
});

describe('the password lifecycle', () => {
  const hour = 3_600_000;
  const operator = 'system:serviceaccount:dbuser-system:dbuser-operator';

  it('a scheduled rotation: asked back when due, then the Secret before the role, recorded as a rotation', async () => {
    const { journal, kubernetes, postgres, reconcile, clock } = setup();
    const key = kubernetes.addUser(
      databaseUser('my-user', { username: 'my_user', passwordRotation: { every: '1h' } }, { annotations: { 'dbuser.dev/requested-by': 'alice' } }),
    );
    const first = await reconcile(key);
    const status = kubernetes.user(key)?.status;
    expect(status?.lastPasswordChange).toEqual({ reason: 'created', at: start.toISOString() });
    const rotatesAt = Date.parse(status?.passwordRotatesAt ?? '');
    expect(first).toEqual({ kind: 'requeue', afterMs: rotatesAt - start.getTime() });
    expect(rotatesAt - start.getTime()).toBeGreaterThan(0.9 * hour);
    const old = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';

    clock.now = new Date(start.getTime() + hour / 2);
    expect(await reconcile(key)).toEqual({ kind: 'requeue', afterMs: rotatesAt - clock.now.getTime() });
    expect(writes(journal)).toEqual([]);

    clock.now = new Date(rotatesAt);
    await reconcile(key);
    expect(writes(journal)).toEqual([
      'kubernetes: apply Secret my-user-credentials (force)',
      'postgres: setPassword',
      'event: Normal PasswordRotated',
      'kubernetes: status Ready=True Reconciled',
    ]);
    const rotated = kubernetes.storedPassword(namespace, 'my-user-credentials') ?? '';
    expect(rotated).not.toBe(old);
    expect(postgres.logsIn('my_user', rotated)).toBe(true);
    expect(postgres.logsIn('my_user', old)).toBe(false);
    expect(kubernetes.user(key)?.status?.lastPasswordChange).toEqual({ reason: 'rotation', at: clock.now.toISOString(), by: operator });
    expect(Date.parse(kubernetes.user(key)?.status?.passwordRotatesAt ?? '')).toBeGreaterThan(rotatesAt + 0.9 * hour);
  });

  it('a reset is recorded with the identity the API server stamped, not the operator', async () => {
    const { kubernetes, reconcile } = setup();
    const key = kubernetes.addUser(databaseUser('my-user', { username: 'my_user' }));
    await reconcile(key);
    kubernetes.editUser(key, (user) => ({
      ...user,
      metadata: { ...user.metadata, annotations: { [resetPasswordAnnotation]: 'r1', 'dbuser.dev/requested-by': 'bob' } },
    }));
    await reconcile(key);
    expect(kubernetes.user(key)?.status?.lastPasswordChange).toEqual({ reason: 'reset', at: start.toISOString(), by: 'bob' });
  });

  it('a ttl: asked back when it ends, then the DatabaseUser is deleted (the finalizer does the rest)', async () => {
    const { journal, kubernetes, reconcile, clock } = setup();
    const key = kubernetes.addUser(databaseUser('temp', { username: 'temp_user', ttl: '30s' }, { creationTimestamp: start.toISOString() }));
    expect(await reconcile(key)).toEqual({ kind: 'requeue', afterMs: 30_000 });
    expect(kubernetes.user(key)?.status?.expiresAt).toBe(new Date(start.getTime() + 30_000).toISOString());

    clock.now = new Date(start.getTime() + 30_000);
    expect(await reconcile(key)).toEqual({ kind: 'done' });
    expect(writes(journal)).toEqual(['event: Normal Expired', 'kubernetes: delete DatabaseUser temp']);
  });

  it('rotation of a chosen password: PasswordRotationRefused, nothing written but the status', async () => {
    const { journal, kubernetes, reconcile } = setup();
    kubernetes.referencedSecrets.set(`${namespace}/my-password`, passwordSource('7', { password: 'a-chosen-password-of-24-chars-or-more' }));
    const key = kubernetes.addUser(
      databaseUser('my-user', { username: 'my_user', passwordSecretRef: { name: 'my-password' }, passwordRotation: { every: '1h' } }),
    );
    expect(await reconcile(key)).toEqual({ kind: 'done' });
    expect(writes(journal)).toEqual(['event: Warning PasswordRotationRefused', 'kubernetes: status Ready=False PasswordRotationRefused']);
  });
});

describe('sharding (ADR 25)', () => {
  const inShard1 = (database: Database) => database.metadata.labels?.[shardKeyLabel] === 'shard1';
  const database = (labels: Record<string, string>): Database => ({
    metadata: { name: 'shop', namespace, uid: 'uid-db', generation: 1, labels },
    spec: { serverRef: { name: 'main' } },
    status: { databaseName: 'shop_4553' },
  });

  it('refuses a user whose Database is in another shard: ShardMismatch, nothing done in PostgreSQL', async () => {
    const { journal, kubernetes, reconcile } = setup({ databaseInShard: inShard1 });
    kubernetes.databases.set(`${namespace}/shop`, database({ [shardKeyLabel]: 'shard2' }));
    const key = kubernetes.addUser(databaseUser('rw', { username: 'shop_rw', databaseRef: { name: 'shop' } }, { labels: { [shardKeyLabel]: 'shard1' } }));

    expect(await reconcile(key)).toEqual({ kind: 'done' });

    expect(journal.filter((entry) => entry.startsWith('postgres'))).toEqual([]);
    expect(readyOf(kubernetes, key)).toMatchObject({ status: 'False', reason: 'ShardMismatch' });
    expect(readyOf(kubernetes, key)?.message).toContain(`${shardKeyLabel}=shard2`);
  });

  it('names the missing label when the Database has none', async () => {
    const { kubernetes, reconcile } = setup({ databaseInShard: inShard1 });
    kubernetes.databases.set(`${namespace}/shop`, database({}));
    const key = kubernetes.addUser(databaseUser('rw', { username: 'shop_rw', databaseRef: { name: 'shop' } }));
    await reconcile(key);
    expect(readyOf(kubernetes, key)?.message).toContain(`no ${shardKeyLabel} label`);
  });

  it('goes on to the Database when it is in the same shard (here: its server is not registered)', async () => {
    const { kubernetes, reconcile } = setup({ databaseInShard: inShard1 });
    kubernetes.databases.set(`${namespace}/shop`, database({ [shardKeyLabel]: 'shard1' }));
    const key = kubernetes.addUser(databaseUser('rw', { username: 'shop_rw', databaseRef: { name: 'shop' } }));
    await reconcile(key);
    expect(readyOf(kubernetes, key)?.reason).toBe('ServerNotFound');
  });
});
