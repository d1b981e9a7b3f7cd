/**
 * Small pieces of terminal output shared by the commands: colour (only on a terminal, and never
 * with NO_COLOR), a progress bar, a failing test in plain words, and wrapping at word boundaries.
 */
import type { CompileError, TestOutcome } from './outcome.ts';
import { say } from './messages.ts';

const useColour = process.stdout.isTTY === true && !('NO_COLOR' in process.env);

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36, inverse: 7 } as const;

export function paint(style: keyof typeof CODES, text: string): string {
  return useColour ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

/** `████░░░░ 2/7 lessons` */
export function progressBar(done: number, total: number, width = 28): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${paint('green', '█'.repeat(filled))}${paint('dim', '░'.repeat(width - filled))} ${say.lessonsDone(done, total)}`;
}

/** A lesson's mark in a list: ✓ it passes, ○ not started (still its starting version), ✗ started and failing. */
export function lessonMark(passes: boolean, untouched: boolean): string {
  if (passes) return paint('green', '✓');
  return untouched ? paint('dim', '○') : paint('red', '✗');
}

export function isTypeTest(test: TestOutcome): boolean {
  return test.file.endsWith('.test-d.ts');
}

/**
 * What went wrong, as a learner wants to read it: the test's own sentence with vitest's
 * "// Object.is equality" tail dropped, and for a type test one line saying what the type is
 * instead of expect-type's internals.
 */
export function cleanMessage(test: TestOutcome): string {
  // A type test's colons come through tsc-keep-colons.mjs as U+2236, since vitest drops ":".
  const message = (test.message ?? 'failed').replace(/ \/\/ (Object\.is|deep) equality/g, '').replaceAll('\u2236', ':');
  if (!isTypeTest(test)) return message;
  const expectation = message.match(/"Expected:? ([^"]*?), Actual:? ([^"]*)"/);
  if (expectation) {
    const [, expected, actual] = expectation;
    return expected === '...' || expected === '' ? say.typeIsNotExpected(actual!) : say.typeIsNot(actual!, expected!);
  }
  if (/Unused '@ts-expect-error' directive/.test(message)) return say.typeTooLoose;
  if (/Inverted<|ExpectUnknown|ExpectAny|has no call signatures/.test(message)) return say.typeUnknown;
  return message.split('\n')[0]!;
}

/** One failing test: its name, then the first lines of what went wrong, indented. */
export function describeFailure(test: TestOutcome, name = test.name, maxLines = 4): string[] {
  const lines = cleanMessage(test)
    .split('\n')
    .filter((line) => line.trim() !== '');
  const shown = lines.slice(0, maxLines).map((line) => `      ${line}`);
  if (lines.length > maxLines) shown.push(paint('dim', '      …'));
  return [`  ${paint('red', '✗')} ${isTypeTest(test) ? `${say.typeTest} ${name}` : name}`, ...shown];
}

/** A compile error under its TODO, as a failing test is shown: where it is, then tsc's message. */
export function describeCompileError(error: CompileError, maxLines = 4): string[] {
  const [first = '', ...more] = error.text.split('\n');
  const location = first.split(' ', 1)[0]!;
  // tsc indents the lines that explain its first one: they keep that indentation under it.
  const lines = [`      ${first.slice(location.length + 1)}`, ...more.map((line) => `    ${line}`)];
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push(paint('dim', '      …'));
  return [`  ${paint('red', '✗')} ${say.compileErrorAt(location)}`, ...shown];
}

const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Characters a terminal draws two columns wide: Hangul, CJK, full-width forms. Enough for the
 * runner's own words and the lessons' Korean titles and hints; emoji are not used.
 */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

function charWidth(char: string): number {
  return WIDE.test(char) ? 2 : 1;
}

/** Columns the text takes on a terminal: colour codes take none, Korean letters two. */
export function visibleLength(text: string): number {
  let width = 0;
  for (const char of text.replace(ANSI, '')) width += charWidth(char);
  return width;
}

/** `text` and spaces up to `columns` columns, as padEnd does for text one column a letter. */
export function padToWidth(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - visibleLength(text)));
}

/** The longest start of `text` (no colour codes in it) that fits in `columns`. */
function fitting(text: string, columns: number): string {
  let width = 0;
  let end = 0;
  for (const char of text) {
    width += charWidth(char);
    if (width > columns) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The line cut to `columns`, ending in "…" when something was cut; colour codes are dropped then. */
export function truncate(line: string, columns: number): string {
  if (visibleLength(line) <= columns) return line;
  return `${fitting(line.replace(ANSI, ''), columns - 1)}…`;
}

/**
 * A line broken at spaces so that no row is wider than `columns`; continuation rows keep the
 * line's indentation. A word longer than a row is cut, as the terminal would.
 */
export function wrapLine(line: string, columns: number): string[] {
  if (!Number.isFinite(columns) || visibleLength(line) <= columns) return [line];
  const indent = line.match(/^ */)![0];
  // A failing test's name ("  ✗ name") continues under the name, not under the mark.
  const hanging = /^ *\S+ /.test(line) && /^ *(\x1b\[[0-9;]*m)?[✗✓]/.test(line) ? '  ' : '';
  const width = Math.max(10, columns - indent.length - hanging.length);
  const rows: string[] = [];
  let row = '';
  for (const word of line.slice(indent.length).split(' ')) {
    const candidate = row === '' ? word : `${row} ${word}`;
    if (visibleLength(candidate) <= width) {
      row = candidate;
      continue;
    }
    if (row !== '') rows.push(row);
    row = word;
    while (visibleLength(row) > width) {
      const head = fitting(row, width);
      rows.push(head);
      row = row.slice(head.length);
    }
  }
  if (row !== '') rows.push(row);
  return rows.map((text, index) => (index === 0 ? indent + text : indent + hanging + text));
}

/**
 * Text printed straight to the terminal (not the guide's screen), each line wrapped at spaces to
 * the window's width, so that a Korean sentence never breaks inside a word ("이어집 / 니다").
 */
export function wrapForTerminal(text: string, columns = process.stdout.isTTY ? process.stdout.columns || 80 : Infinity): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, columns))
    .join('\n');
}
