// jest loads global setup/teardown outside its transform pipeline; tsx loads the TypeScript.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const harness = await tsImport('./test-environment.ts', import.meta.url);
  globalThis.dbuserTestEnvironment = harness;
  await harness.setUpTestEnvironment();
}
