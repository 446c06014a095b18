// Inference for users: a trained checkpoint + two FLAIRs -> probabilities and mask on the input's grid.
export {
  loadPredictor,
  resolveCheckpointDir,
  PredictorError,
  PREPROCESSING_PLUGIN_KEY,
  type Predictor,
  type LoadPredictorOptions,
  type InferencePreprocessing,
  type PreprocessingState,
} from './predictor.ts';
export { predictPatient, predictCachedPatient, type PredictPatientOptions, type PatientPrediction } from './predict-patient.ts';
export { ALL_FLIPS, flipWindows, withFlipTta, averageWindows, type FlipAxes, type WindowPredict } from './tta.ts';
export { loadEnsemble, ensembleWindows, type Ensemble } from './ensemble.ts';
