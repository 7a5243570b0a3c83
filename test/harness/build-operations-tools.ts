// `npm run operations-tools:build`: builds (or finds cached) promtool, kube-state-metrics and krew, printing the time taken.
import { ensureOperationsTools } from './operations-tools.js';

const started = Date.now();
const tools = await ensureOperationsTools((line) => {
  console.log(line);
});
for (const [name, file] of Object.entries(tools)) console.log(`${name}: ${file}`);
console.log(`ready in ${Math.round((Date.now() - started) / 1000)} s`);
