export default async function globalTeardown() {
  await globalThis.dbuserE2eEnvironment?.tearDownE2eEnvironment();
}
