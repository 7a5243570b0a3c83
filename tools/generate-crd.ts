// `npm run generate:crd`: writes crds/ from the zod schemas in src/api (a unit test fails if they differ).
import { writeFileSync } from 'node:fs';
import { crdFile, renderCrd } from './crd-file.js';

writeFileSync(crdFile, renderCrd());
console.log(`wrote ${crdFile}`);
