// `npm run generate:crd`: writes crds/ and the chart's copy from the zod schemas in src/api (a unit test fails if they differ).
import { writeFileSync } from 'node:fs';
import { chartCrdFile, crdFile, renderCrd } from './crd-file.js';

for (const file of [crdFile, chartCrdFile]) {
  writeFileSync(file, renderCrd());
  console.log(`wrote ${file}`);
}
