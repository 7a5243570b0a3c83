// `npm run generate:crd`: writes crds/ and the chart's copy from the zod schemas in src/api (a unit test fails if they differ).
import { writeFileSync } from 'node:fs';
import { crds } from './crd-file.js';

for (const { file, chartFile, render } of crds) {
  for (const target of [file, chartFile]) {
    writeFileSync(target, render());
    console.log(`wrote ${target}`);
  }
}
