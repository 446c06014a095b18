/**
 * Every command of the `lesionseg` binary, in the order `lesionseg --help` lists them. Adding a
 * command is one entry here (and its Nx target, if it has one, runs the same Command object).
 */
import type { Program } from '@lesionseg/cli';
import { compareCommand } from '@lesionseg/compare/commands';
import { reportCommand, trainCommand } from '@lesionseg/trainer/commands';
import { evaluateCommand, exportCommand, predictCommand, scoreCommand } from '@lesionseg/evaluator/commands';
import { infoCommand } from './commands/info.ts';
import { preprocessCommand } from './commands/preprocess.ts';
import { synthCommand } from './commands/synth.ts';
import { toolProvenance } from '@lesionseg/data';

export const PROGRAM: Program = {
  name: 'lesionseg',
  summary: 'lesionseg: train and evaluate new-MS-lesion segmentation on two FLAIR MRIs (OHEM vs oversampling, MSSEG-2 metrics).',
  version: toolProvenance().version,
  commands: [
    trainCommand,
    compareCommand,
    reportCommand,
    predictCommand,
    evaluateCommand,
    scoreCommand,
    exportCommand,
    synthCommand,
    preprocessCommand,
    infoCommand,
  ],
};
