// Programmatic API of the evaluator app (the CLI entry is score-main.ts): score mask files or an
// MSSEG-2 dataset folder with the official metrics and write results.json / CSV / Markdown.
export { runScore, scoreFiles } from './score/run-score.ts';
export { parseScoreArgs, SCORE_USAGE, UsageError } from './score/args.ts';
export type { ScoreCliOptions } from './score/args.ts';
export { findPairs, findInputs, InputError, GT_FILE } from './score/inputs.ts';
export type { ScorePair } from './score/inputs.ts';
export { lesionsCsv, patientResult, resultsCsv, resultsJson, resultsMarkdown } from './score/results.ts';
export type { PatientResult, ScoreResults } from './score/results.ts';
