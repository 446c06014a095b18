// Child process of nifti-crafted.test.ts: reads one file and reports how much the peak resident
// memory grew while doing so (a fresh process, so earlier tests' peaks cannot hide the growth).
import { readNifti } from '../src/index.ts';

const before = process.resourceUsage().maxRSS; // KiB
let error: string | null = null;
try {
  await readNifti(process.argv[2]);
} catch (e) {
  error = (e as Error).message;
}
const after = process.resourceUsage().maxRSS;
process.stdout.write(`${JSON.stringify({ growthMiB: (after - before) / 1024, error })}\n`);
