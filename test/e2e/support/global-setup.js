// jest loads global setup/teardown outside its transform pipeline; tsx loads the TypeScript.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const environment = await tsImport('./e2e-environment.ts', import.meta.url);
  globalThis.dbuserE2eEnvironment = environment;
  await environment.setUpE2eEnvironment();
}
