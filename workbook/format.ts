/**
 * Small pieces of terminal output shared by the commands: colour (only on a terminal, and never
 * with NO_COLOR), a progress bar, and a test outcome in plain words.
 */
import type { TestOutcome } from './run-suites.ts';

const useColour = process.stdout.isTTY === true && !('NO_COLOR' in process.env);

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const;

export function paint(style: keyof typeof CODES, text: string): string {
  return useColour ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

/** `████░░░░ 2/7 lessons` */
export function progressBar(done: number, total: number, width = 28): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${paint('green', '█'.repeat(filled))}${paint('dim', '░'.repeat(width - filled))} ${done}/${total} lessons`;
}

/** One failing test: its name, then the first lines of what went wrong, indented. */
export function describeFailure(test: TestOutcome, maxLines = 4): string {
  const lines = (test.message ?? 'failed').split('\n').filter((line) => line.trim() !== '');
  const shown = lines.slice(0, maxLines).map((line) => `      ${line}`);
  if (lines.length > maxLines) shown.push(paint('dim', '      …'));
  return [`  ${paint('red', '✗')} ${test.name}`, ...shown].join('\n');
}
