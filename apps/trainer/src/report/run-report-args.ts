import {
  commandHelp,
  intOption,
  parseCommandLine,
  requiredString,
  stringOption,
  type CommandHelpSpec,
  type OptionSpecs,
  type OptionValues,
} from '@lesionseg/cli';
import { BACKENDS } from '../config/config.ts';

export interface RunReportOptions {
  run: string;
  data: string | null;
  evaluate: boolean;
  backend: string | null;
  figures: number;
  quiet: boolean;
  help: boolean;
}

export const REPORT_OPTIONS: OptionSpecs = {
  run: { type: 'string', value: 'DIR', description: 'a training run folder (config.json, split.json, events.jsonl, checkpoints/)' },
  data: { type: 'string', value: 'DIR', default: "data.path of the run's config.json", description: 'the dataset it was trained on' },
  'no-evaluate': { type: 'boolean', description: 'reuse RUN_DIR/evaluation/results.json instead of predicting again' },
  figures: { type: 'string', value: 'N', default: '3', description: 'overlay figures' },
  backend: { type: 'string', value: 'NAME', default: 'auto', description: `the evaluation's compute backend: ${BACKENDS.join(', ')}` },
};

export const REPORT_SPEC: CommandHelpSpec = {
  name: 'report',
  nxTarget: 'trainer:report',
  summary: "a run's report.html: curves, scores of its best checkpoint, overlays, viewers",
  description:
    "Write RUN_DIR/report.html: training curves, MSSEG-2 scores of the best checkpoint on the run's validation patients, per-patient and per-lesion tables, Figure-3-style overlays (radiological, world-oriented) and provenance; and RUN_DIR/viewer/<patient>.html, an interactive NiiVue viewer per evaluated patient (offline).",
  usage: ['--run DIR [OPTIONS]'],
  options: REPORT_OPTIONS,
};

export function runReportUsage(): string {
  return commandHelp('lesionseg', REPORT_SPEC);
}

export function parseRunReportArgs(argv: string[]): RunReportOptions {
  return runReportOptions(parseCommandLine(argv, REPORT_OPTIONS, (m) => void process.stderr.write(`lesionseg report: warning: ${m}\n`)));
}

export function runReportOptions(values: OptionValues): RunReportOptions {
  return {
    run: requiredString(values, 'run', 'DIR'),
    data: stringOption(values, 'data'),
    evaluate: values['no-evaluate'] !== true,
    backend: stringOption(values, 'backend'),
    figures: intOption(values, 'figures', 3) as number,
    quiet: values.quiet === true,
    help: values.help === true,
  };
}
