import { allOptions } from './parse.ts';
import type { Command, CommandHelpSpec } from './spec.ts';

const WIDTH = 100;
const COLUMN = 24;

function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line !== '' && indent + line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

/** `--out FILE` / `-h, --help` */
function flag(name: string, o: { type: string; value?: string; short?: string }): string {
  const value = o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : '';
  return `${o.short ? `-${o.short}, ` : ''}--${name}${value}`;
}

/** A command's `--help`, generated from its option specs (so it cannot drift from the parser). */
export function commandHelp(program: string, c: CommandHelpSpec): string {
  const usage = (c.usage ?? ['[OPTIONS]']).map((u, i) => `${i === 0 ? 'Usage: ' : '       '}${program} ${c.name} ${u}`);
  if (c.nxTarget) usage.push(`       npx nx run ${c.nxTarget} -- ${(c.usage ?? ['[OPTIONS]'])[0]}`);
  const rows = Object.entries(allOptions(c.options)).map(([name, o]) => {
    const left = `  ${flag(name, o)}`;
    const notes = [
      o.multiple ? 'repeatable' : '',
      o.default !== undefined ? `default: ${o.default}` : '',
      o.deprecated?.length ? `old spelling: ${o.deprecated.map((d) => `--${d}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const text = wrap(`${o.description}${notes ? ` (${notes})` : ''}`, COLUMN);
    const first = left.length < COLUMN ? `${left.padEnd(COLUMN)}${text[0]}` : `${left}\n${' '.repeat(COLUMN)}${text[0]}`;
    return [first, ...text.slice(1).map((l) => `${' '.repeat(COLUMN)}${l}`)].join('\n');
  });
  const epilog = typeof c.epilog === 'function' ? c.epilog() : c.epilog;
  return [
    c.summary,
    c.description ? `\n${c.description}` : '',
    `\n${usage.join('\n')}`,
    `\nOptions:\n${rows.join('\n')}`,
    epilog ? `\n${epilog}` : '',
    '\nRelative paths are resolved against the folder you ran the command from.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** `lesionseg --help`: every registered command with its summary. */
export function programHelp(program: string, summary: string, commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const rows = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `${summary}\n\nUsage: ${program} <command> [OPTIONS]   (${program} <command> --help for its options)\n\nCommands:\n${rows.join('\n')}\n\nExit codes: 0 done, 1 bad input or failed run, 2 bad command line, 130/143 interrupted (SIGINT/SIGTERM).`;
}
