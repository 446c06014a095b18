export { learningCurveSpec, renderLearningCurves, renderSpecToSvg, svgToPng, type CurvePoint, type CurveSeries, type ChartOptions } from './learning-curves.ts';
export { encodePng, decodePng, type RgbaImage } from './png.ts';
export {
  renderOverlayPanels,
  overlaySvg,
  axialSliceThroughLargestLesion,
  sharedWindow,
  OVERLAY_COLOURS,
  type OverlayInput,
  type OverlayOptions,
  type OverlayPanels,
  type VolumeLike,
  type LesionLocation,
} from './overlay.ts';
export { closestCanonical, axisCodes, toCanonical, toCanonicalVoxel, type AxisMapping, type CanonicalVolume } from './orientation.ts';
export { table1Markdown, table1Csv, formatMeanSem, type Table1Row } from './table1.ts';
export {
  buildReportHtml,
  figureHtml,
  svgHtml,
  preHtml,
  markdownTableHtml,
  escapeHtml,
  type ReportFigure,
  type ReportSection,
  type ReportInput,
} from './html.ts';
export { readRunFolder, parseEventsJsonl, summarizeEvents, type RunSummary, type StepPoint } from './run-folder.ts';
export { readEvaluation, parseEvaluation, type Evaluation, type EvaluatedPatient } from './evaluation.ts';
export { patientFigures, patientFigure, pickPatients, evaluationFile, type PatientFigureOptions } from './patient-figures.ts';
export { writeRunReport, writeCompareReport, table1Row, type RunReportInput, type CompareEntry, type CompareReportInput } from './pages.ts';
export { writePatientViewers, niivueBundlePath, viewerFileName, type ViewerLink, type ViewerOptions } from './viewer.ts';
export { viewerPageHtml, type ViewerPageInput, type ViewerVolume } from './viewer-page.ts';
export { lesionRows, reasonText, type LesionRow, type LesionSide } from './lesion-table.ts';
export { trainingCurvesSpec, smooth, thin, iterationRate, CURVE_COLOURS, type TrainingCurvesInput } from './training-curves.ts';
export { runProvenance, provenanceHtml, type ProvenanceRow } from './provenance-html.ts';
export { groupBySeed, seedCurve, seedCurvesSpec, seedTable1Row, type SeedGroup, type SeedCurvePoint } from './seed-summary.ts';
