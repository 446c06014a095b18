import { UsageError } from './args.ts';

/**
 * Binds one of the trainer's secondary commands (compare, report) to the process: a usage
 * error exits 2 with a pointer to --help, --help prints the usage, any other error exits 1
 * with its message, and the command's own result is the exit code.
 */
export function runCommand<O extends { help: boolean }>(name: string, parse: (argv: string[]) => O, usage: () => string, run: (options: O) => Promise<number>): void {
  const main = async (): Promise<number> => {
    let options: O;
    try {
      options = parse(process.argv.slice(2));
    } catch (e) {
      if (e instanceof UsageError) {
        console.error(`${name}: ${e.message}\n(see --help)`);
        return 2;
      }
      throw e;
    }
    if (options.help) {
      console.log(usage());
      return 0;
    }
    return run(options);
  };
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
