// `npm run gitops-tools:build`: builds (or finds cached) helm and gitops-check, printing the time taken.
import { ensureGitopsTools } from './gitops-tools.js';

const started = Date.now();
const tools = await ensureGitopsTools((line) => {
  console.log(line);
});
console.log(`helm:         ${tools.helm}`);
console.log(`gitops-check: ${tools.gitopsCheck}`);
console.log(`ready in ${Math.round((Date.now() - started) / 1000)} s`);
