/**
 * A run in its own process, for the kill -9 test: `node --import tsx engine-child.ts <simUrl> <storeFile> [maxBatchRows]`.
 * Prints one line per request so the parent can kill it mid-run. maxBatchRows bounds the store's
 * group commit, and with it how many finished requests a kill can lose.
 */
import { openStore } from '../../src/store/sqlite-store.ts';
import { ollamaAt, runToy } from './engine-helpers.ts';
import { RESUME_RUN } from './engine-resume-spec.ts';

const [url, file, maxBatchRows] = process.argv.slice(2);
if (!url || !file) throw new Error('usage: engine-child.ts <simUrl> <storeFile> [maxBatchRows]');
const store = openStore(file, maxBatchRows ? { maxBatchRows: Number(maxBatchRows) } : {});
await runToy(ollamaAt(url), store, {
  ...RESUME_RUN,
  onProgress: (p) => process.stdout.write(`requests ${p.requests}\n`),
});
store.close();
process.stdout.write('done\n');
