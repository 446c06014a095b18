import { readFile } from 'node:fs/promises';

/** The last `lines` non-empty lines of a log file ([] when it does not exist). */
export async function logTail(file: string, lines = 8): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/[\r\n]+/)
    .filter((l) => l.trim() !== '')
    .slice(-lines);
}
