import type { KubeSecret } from '../../../src/kube/objects.js';
import { SecretReader } from '../../../src/kubernetes/secret-reader.js';

function reader(initialVersion: string | undefined) {
  let version = initialVersion;
  const gets: string[] = [];
  const secretReader = new SecretReader(
    async (namespace, name) => {
      gets.push(`${namespace}/${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return version === undefined
        ? undefined
        : ({ metadata: { resourceVersion: version }, data: { password: Buffer.from(`v${version}`).toString('base64') } } satisfies KubeSecret);
    },
    () => version,
  );
  return { secretReader, gets, setVersion: (next: string | undefined) => (version = next) };
}

describe('SecretReader', () => {
  it('reads a Secret once per version, however many reconciles ask at the same moment', async () => {
    const { secretReader, gets, setVersion } = reader('1');

    const first = await Promise.all(Array.from({ length: 8 }, () => secretReader.contents('shop', 'pg-admin')));
    expect(gets).toHaveLength(1);
    expect(first.map((contents) => contents?.data.password)).toEqual(Array(8).fill('v1'));

    await secretReader.contents('shop', 'pg-admin');
    expect(gets).toHaveLength(1);

    setVersion('2');
    expect((await secretReader.contents('shop', 'pg-admin'))?.data.password).toBe('v2');
    expect(gets).toHaveLength(2);
  });

  it('a Secret the watch does not know is absent, without a request', async () => {
    const { secretReader, gets } = reader(undefined);
    expect(await secretReader.contents('shop', 'missing')).toBeUndefined();
    expect(gets).toEqual([]);
  });
});
