import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { passwordSourceLabel } from '../../../src/api/names.js';
import { isNotFoundError } from './errors.js';
import { waitFor } from '../../harness/wait.js';

const group = 'dbuser.dev';
const version = 'v1alpha1';
const plural = 'databaseusers';

export function readyCondition(user: DatabaseUser | undefined) {
  return user?.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** A one-line summary for failure messages: generation, deletion and the Ready condition. */
function describeUser(user: DatabaseUser | undefined): string {
  if (!user) return 'absent';
  const ready = readyCondition(user);
  return JSON.stringify({
    generation: user.metadata.generation,
    observedGeneration: user.status?.observedGeneration,
    deleting: user.metadata.deletionTimestamp !== undefined,
    finalizers: user.metadata.finalizers,
    ready: ready ? `${ready.status} ${ready.reason}: ${ready.message}` : undefined,
  });
}

/** DatabaseUsers, Secrets and Events of one test namespace, through @kubernetes/client-node. */
export class KubeTestClient {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async createUser(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): Promise<DatabaseUser> {
    return (await this.custom.createNamespacedCustomObject({
      group,
      version,
      namespace: this.namespace,
      plural,
      body: { apiVersion: `${group}/${version}`, kind: 'DatabaseUser', metadata: { name, ...(annotations ? { annotations } : {}) }, spec },
    })) as DatabaseUser;
  }

  async getUser(name: string): Promise<DatabaseUser | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group, version, namespace: this.namespace, plural, name })) as DatabaseUser;
    } catch (error) {
      if (isNotFoundError(error)) return undefined;
      throw error;
    }
  }

  async patchUser(name: string, patch: object): Promise<DatabaseUser> {
    return (await this.custom.patchNamespacedCustomObject(
      { group, version, namespace: this.namespace, plural, name, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as DatabaseUser;
  }

  async deleteUser(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ group, version, namespace: this.namespace, plural, name });
  }

  async waitForUser(name: string, what: string, holds: (user: DatabaseUser) => boolean, timeoutMs = 20_000): Promise<DatabaseUser> {
    let last: DatabaseUser | undefined;
    try {
      return await waitFor(
        `DatabaseUser ${name}: ${what}`,
        async () => {
          last = await this.getUser(name);
          return last !== undefined && holds(last) ? last : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen: ${describeUser(last)}`, { cause: error });
    }
  }

  /** Ready=True for the current generation. */
  async waitReady(name: string, timeoutMs = 20_000): Promise<DatabaseUser> {
    return this.waitForUser(
      name,
      'Ready=True at the current generation',
      (user) => readyCondition(user)?.status === 'True' && user.status?.observedGeneration === user.metadata.generation,
      timeoutMs,
    );
  }

  async waitReason(name: string, reason: string, timeoutMs = 20_000): Promise<DatabaseUser> {
    return this.waitForUser(
      name,
      `Ready reason ${reason}`,
      (user) => readyCondition(user)?.reason === reason && user.status?.observedGeneration === user.metadata.generation,
      timeoutMs,
    );
  }

  async waitGone(name: string, timeoutMs = 20_000): Promise<void> {
    let last: DatabaseUser | undefined;
    try {
      await waitFor(
        `DatabaseUser ${name} to be gone`,
        async () => {
          last = await this.getUser(name);
          return last === undefined ? true : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen: ${describeUser(last)}`, { cause: error });
    }
  }

  async putSecret(name: string, stringData: Record<string, string>, labels: Record<string, string> = {}): Promise<void> {
    const body = { metadata: { name, labels }, stringData };
    try {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body });
    } catch (error) {
      if (!(error instanceof Error) || !/409|AlreadyExists/.test(error.message)) throw error;
      await this.core.replaceNamespacedSecret({ namespace: this.namespace, name, body });
    }
  }

  /** A chosen-password Secret: labelled a password source, the only kind the operator reads a password from. */
  async putPasswordSecret(name: string, stringData: Record<string, string>): Promise<void> {
    await this.putSecret(name, stringData, { [passwordSourceLabel]: 'true' });
  }

  async secretData(name: string): Promise<Record<string, string> | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace: this.namespace, name });
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
    } catch (error) {
      if (isNotFoundError(error)) return undefined;
      throw error;
    }
  }

  async waitSecret(name: string, what: string, holds: (data: Record<string, string>) => boolean, timeoutMs = 20_000): Promise<Record<string, string>> {
    return waitFor(
      `Secret ${name}: ${what}`,
      async () => {
        const data = await this.secretData(name);
        return data !== undefined && holds(data) ? data : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async events(name: string): Promise<{ type: string; reason: string; message: string }[]> {
    const list = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${name}` });
    return list.items.map((event) => ({ type: event.type ?? '', reason: event.reason ?? '', message: event.message ?? '' }));
  }

  async waitEvent(name: string, message: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(`an Event "${message}" on ${name}`, async () => ((await this.events(name)).some((event) => event.message === message) ? true : undefined), {
      timeoutMs,
      intervalMs: 100,
    });
  }
}
