import { passwordSourceLabel } from '../src/api/names.js';
import type { KubeClient } from '../src/kube/kube-client.js';
import { inParallel } from '../bench/measure.js';
import type { Operation, PlannedUser, Schedule } from './schedule.js';

const databaseUsers = (namespace: string): string => `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databaseusers`;
const secrets = (namespace: string): string => `/api/v1/namespaces/${namespace}/secrets`;
export const resetAnnotation = 'dbuser.dev/reset-password';

export const passwordSecretName = (user: PlannedUser): string => `${user.name}-password`;
export const credentialsSecretName = (user: PlannedUser): string => `${user.name}-credentials`;

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Sends a request until the API server answers it: a restarting server refuses connections or
 * answers 5xx/429 for a while. `accept` lists statuses that end the call without an answer
 * (404 on a delete, 409 on a create that had gone through before a dropped connection).
 */
async function retrying<T>(call: () => Promise<T>, accept: readonly number[] = []): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && accept.includes(status)) return undefined;
      if (attempt >= 240 || (status !== undefined && status < 500 && status !== 429)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** What the workload saw that the checker needs: the password each reset was meant to replace. */
export class Ledger {
  /** Per user index: the passwords its credentials Secret held when a reset was requested. */
  readonly replacedPasswords = new Map<number, string[]>();
  readonly sent = new Map<Operation['kind'], number>();
  /** Resets requested before the user had a password to replace (nothing to check the reset against). */
  resetsBeforeFirstPassword = 0;
}

/** Applies the schedule's operations to the API server as people and GitOps tools would. */
export class Workload {
  readonly ledger = new Ledger();

  constructor(
    private readonly http: KubeClient,
    private readonly schedule: Schedule,
  ) {}

  private user(index: number): PlannedUser {
    const user = this.schedule.users[index];
    if (!user) throw new Error(`no planned user ${index}`);
    return user;
  }

  /**
   * Sends operations with up to `concurrency` in flight, one user's in their order (a toggle never
   * overtakes the create it follows).
   */
  async send(operations: readonly Operation[], concurrency: number): Promise<void> {
    const byUser = new Map<number, Operation[]>();
    for (const operation of operations) byUser.set(operation.user, [...(byUser.get(operation.user) ?? []), operation]);
    await inParallel([...byUser.values()], concurrency, async (sequence) => {
      for (const operation of sequence) {
        await this.apply(operation);
        this.ledger.sent.set(operation.kind, (this.ledger.sent.get(operation.kind) ?? 0) + 1);
      }
    });
  }

  private async apply(operation: Operation): Promise<void> {
    const user = this.user(operation.user);
    const { namespace } = user;
    const merge = { contentType: 'application/merge-patch+json' } as const;
    switch (operation.kind) {
      case 'create': {
        if (user.chosenPassword !== undefined) {
          // Labelled a password source: the only kind of Secret the operator reads a chosen password from.
          const body = {
            metadata: { name: passwordSecretName(user), labels: { [passwordSourceLabel]: 'true' } },
            stringData: { password: user.chosenPassword },
          };
          await retrying(() => this.http.request('POST', secrets(namespace), { body }), [409]);
        }
        const spec = {
          username: user.username,
          readOnly: user.readOnly,
          passwordEncryption: user.encryption,
          connection: { secretName: 'pg-admin' },
          ...(user.chosenPassword === undefined ? {} : { passwordSecretRef: { name: passwordSecretName(user) } }),
        };
        const body = { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name: user.name }, spec };
        await retrying(() => this.http.request('POST', databaseUsers(namespace), { body }), [409]);
        return;
      }
      case 'toggleReadOnly':
        await retrying(() =>
          this.http.request('PATCH', `${databaseUsers(namespace)}/${user.name}`, { ...merge, body: { spec: { readOnly: operation.readOnly } } }),
        );
        return;
      case 'reset': {
        // The password this reset must replace: the checker proves it no longer logs in.
        const current = await retrying(
          () => this.http.request<{ data?: Record<string, string> }>('GET', `${secrets(namespace)}/${credentialsSecretName(user)}`),
          [404],
        );
        const password = current?.data?.password;
        if (password === undefined) this.ledger.resetsBeforeFirstPassword += 1;
        else
          this.ledger.replacedPasswords.set(user.index, [
            ...(this.ledger.replacedPasswords.get(user.index) ?? []),
            Buffer.from(password, 'base64').toString('utf8'),
          ]);
        const body = { metadata: { annotations: { [resetAnnotation]: operation.token } } };
        await retrying(() => this.http.request('PATCH', `${databaseUsers(namespace)}/${user.name}`, { ...merge, body }));
        return;
      }
      case 'editChosen':
        await retrying(() =>
          this.http.request('PATCH', `${secrets(namespace)}/${passwordSecretName(user)}`, { ...merge, body: { stringData: { password: operation.password } } }),
        );
        return;
      case 'delete':
        await retrying(() => this.http.request('DELETE', `${databaseUsers(namespace)}/${user.name}`), [404]);
        if (user.chosenPassword !== undefined) await retrying(() => this.http.request('DELETE', `${secrets(namespace)}/${passwordSecretName(user)}`), [404]);
        return;
    }
  }
}
