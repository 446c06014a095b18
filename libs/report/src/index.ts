export { learningCurveSpec, renderLearningCurves, renderSpecToSvg, svgToPng, type CurvePoint, type CurveSeries, type ChartOptions } from './learning-curves.ts';
export { encodePng, decodePng, type RgbaImage } from './png.ts';
export { renderOverlay, sliceThroughLargestLesion, OVERLAY_COLOURS, type OverlayInput, type OverlayOptions, type VolumeLike, type LesionLocation } from './overlay.ts';
export { table1Markdown, table1Csv, formatMeanSem, type Table1Row } from './table1.ts';
export { buildReportHtml, figureHtml, svgHtml, preHtml, markdownTableHtml, escapeHtml, type ReportFigure, type ReportSection, type ReportInput } from './html.ts';
export { readRunFolder, parseEventsJsonl, summarizeEvents, type RunSummary } from './run-folder.ts';
export { readEvaluation, parseEvaluation, type Evaluation, type EvaluatedPatient } from './evaluation.ts';
export { patientFigures, pickPatients, type PatientFigureOptions } from './patient-figures.ts';
export { writeRunReport, writeCompareReport, table1Row, type RunReportInput, type CompareEntry, type CompareReportInput } from './pages.ts';
