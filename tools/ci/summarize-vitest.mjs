// Sums vitest's "Tests  N passed | M failed (T)" lines from an Nx run log and prints one
// closing line "tests: N passed, M failed". Nx prefixes lines with the project name.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
let suites = 0;
for (const line of text.split('\n')) {
  const m = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!m) continue;
  suites++;
  for (const part of m[1].split('|')) {
    const n = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
    if (!n) continue;
    if (n[2] === 'passed') passed += Number(n[1]);
    else if (n[2] === 'failed') failed += Number(n[1]);
    else skipped += Number(n[1]);
  }
}
if (suites === 0) {
  console.log('tests: no vitest summary found (cached results or no suite ran)');
} else {
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
