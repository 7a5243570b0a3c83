export default async function globalTeardown() {
  await globalThis.dbuserTestEnvironment?.tearDownTestEnvironment();
}
