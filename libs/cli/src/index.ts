// The command kit of every lesionseg command: option specs that generate --help, one strict
// parser (did-you-mean, deprecated spellings), one usage error, one exit policy, user paths.
export { EXIT, signalExitCode, UsageError, UserError } from './errors.ts';
export { COMMON_OPTIONS } from './spec.ts';
export type { Command, CommandContext, CommandHelpSpec, OptionSpec, OptionSpecs, OptionValue, OptionValues } from './spec.ts';
export { allOptions, parseCommandLine } from './parse.ts';
export { commandHelp, programHelp } from './help.ts';
export { exitWith, reportFailure, runCommand, runProgram } from './run.ts';
export type { CommandIo, Program } from './run.ts';
export { choiceOption, intOption, listOption, numberOption, pathOption, requiredString, stringOption } from './values.ts';
export { resolveUserPath, userCwd } from './paths.ts';
export { closest, editDistance } from './suggest.ts';
export { attachPatientProgress, ProgressBar, progressBar } from './progress.ts';
export { StatusBlock, stderrSink } from './status-block.ts';
export type { ProgressSink } from './status-block.ts';
