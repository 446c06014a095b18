// Programmatic API of the evaluator app (commands: cli/commands.ts; Nx entries: score-main.ts, predict-main.ts, evaluate-main.ts, export-main.ts): score mask files or an
// MSSEG-2 dataset folder with the official metrics and write results.json / CSV / Markdown.
export { runScore, scoreFiles } from './score/run-score.ts';
export { parseScoreArgs, SCORE_USAGE, UsageError } from './score/args.ts';
export type { ScoreCliOptions } from './score/args.ts';
export { findPairs, findInputs, InputError, GT_FILE } from './score/inputs.ts';
export type { ScorePair } from './score/inputs.ts';
export { lesionsCsv, patientResult, resultsCsv, resultsJson, resultsMarkdown } from './score/results.ts';
export type { PatientResult, ScoreResults } from './score/results.ts';

// Inference: `evaluator predict` / `evaluator evaluate` (entries predict-main.ts, evaluate-main.ts).
export { createEvaluatorContainer, resolvePostProcessor, postProcessorNames, EVALUATOR_TOKENS } from './container.ts';
export type { EvaluatorSettings } from './container.ts';
export { DropSmallComponents, NoPostProcessing } from './predict/postprocess.ts';
export type { PostProcessor } from './predict/postprocess.ts';
export { parsePredictArgs, PREDICT_USAGE } from './predict/args.ts';
export type { PredictCliOptions, InferenceCliOptions } from './predict/args.ts';
export { runPredict, predictFiles, predictPatients, openPredictor } from './predict/run-predict.ts';
export type { PredictedPatient, PredictSettings } from './predict/run-predict.ts';
export { selectPatients } from './predict/patients.ts';
export { parseEvaluateArgs, EVALUATE_USAGE } from './evaluate/args.ts';
export type { EvaluateCliOptions } from './evaluate/args.ts';
export { runEvaluate, EVALUATE_FILES } from './evaluate/run-evaluate.ts';
export type { EvaluateResult } from './evaluate/run-evaluate.ts';
export { scoreAndWrite } from './score/run-score.ts';
export { openEnsemble, withWindowPredictor } from './predict/models.ts';
export { parseModelOptions, MODEL_OPTIONS } from './predict/model-args.ts';
export type { ModelCliOptions } from './predict/model-args.ts';
export { predictionProvenance, niftiDescrip } from './predict/provenance.ts';
export type { PredictionProvenance } from './predict/provenance.ts';
export { existingOutput } from './predict/existing.ts';
export type { ExistingOutput } from './predict/existing.ts';
export { scoreProvenance } from './score/provenance.ts';
export type { ScoreProvenance } from './score/provenance.ts';
export { parseExportArgs, EXPORT_USAGE } from './export/args.ts';
export type { ExportCliOptions } from './export/args.ts';
