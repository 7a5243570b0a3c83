/** A Secret's decoded contents at one version, with what says what it is for. */
export interface SecretContents {
  resourceVersion: string;
  data: Record<string, string>;
  type: string | undefined;
  labels: Readonly<Record<string, string>>;
  finalizers: readonly string[];
}
