// The grading worker: runs symbolic comparisons off the main thread, one at a time.
// Plain JavaScript so it can register the TypeScript loader before importing the grader itself.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { equivalentSymbolic } = await import('./symbolic.ts');
// Warm the engine up (its libraries load lazily) so a comparison's time bound measures the comparison.
equivalentSymbolic('2\\sqrt{2}', '\\sqrt{8}');
equivalentSymbolic('(x+1)^2', 'x^2+2x+1');
equivalentSymbolic('\\frac{\\pi}{6}', '30^\\circ');

parentPort.on('message', (job) => {
  let equivalent = false;
  try {
    equivalent = equivalentSymbolic(String(job.gold), String(job.pred));
  } catch {
    equivalent = false;
  }
  parentPort.postMessage({ id: job.id, equivalent });
});
parentPort.postMessage({ ready: true });
