/**
 * The Korean edition's guard: every README.md and hints.md has a `.ko.md` twin that is the same
 * document in another language. The prose may differ in every word; the code blocks may not
 * differ in one byte, the headings must match in number, level and order, and hint headings
 * (read by the runner) must be the very same lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { twinOf } from './lessons.ts';
import { ROOT } from './target.ts';

const FENCE = /^\s*(```|~~~)/;
const CLOSING_FENCE = /^\s*(```|~~~)\s*$/;

interface Outline {
  codeBlocks: string[];
  /** Every heading outside code: its level and its text. */
  headings: { level: number; text: string }[];
}

export function outline(markdown: string): Outline {
  const codeBlocks: string[] = [];
  const headings: Outline['headings'] = [];
  let block: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (block) {
      block.push(line);
      if (CLOSING_FENCE.test(line)) {
        codeBlocks.push(block.join('\n'));
        block = undefined;
      }
      continue;
    }
    if (FENCE.test(line)) {
      block = [line];
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) headings.push({ level: heading[1]!.length, text: heading[2]!.trim() });
  }
  if (block) codeBlocks.push(block.join('\n')); // an unclosed block still counts, whole
  return { codeBlocks, headings };
}

/** A hint heading, which the runner parses: it must be the same line in both languages. */
const HINT_HEADING = /^(TODO \d+, hint \d+|Hint \d+)$/;

/** What keeps `korean` from being the twin of `english`; empty when it is one. */
export function twinProblems(english: string, korean: string): string[] {
  const en = outline(english);
  const ko = outline(korean);
  const problems: string[] = [];
  if (en.codeBlocks.length !== ko.codeBlocks.length) {
    problems.push(`${ko.codeBlocks.length} code block(s) where the English has ${en.codeBlocks.length}`);
  }
  const blocks = Math.min(en.codeBlocks.length, ko.codeBlocks.length);
  for (let index = 0; index < blocks; index += 1) {
    if (en.codeBlocks[index] !== ko.codeBlocks[index]) {
      const first = en.codeBlocks[index]!.split('\n')[1] ?? '';
      problems.push(`code block ${index + 1} (it starts "${first.trim().slice(0, 50)}") differs from the English one; code blocks are copied byte for byte`);
    }
  }
  const levels = (headings: Outline['headings']) => headings.map((heading) => '#'.repeat(heading.level)).join(' ');
  if (levels(en.headings) !== levels(ko.headings)) {
    problems.push(`its headings (${ko.headings.length}: ${levels(ko.headings)}) do not match the English ones (${en.headings.length}: ${levels(en.headings)}) in number, level and order`);
  }
  const hints = (headings: Outline['headings']) => headings.filter((heading) => HINT_HEADING.test(heading.text)).map((heading) => heading.text);
  const enHints = hints(en.headings);
  const koHints = hints(ko.headings);
  if (enHints.join('|') !== koHints.join('|')) {
    problems.push(`its hint headings (${koHints.length}) are not the English ones (${enHints.length}) line for line: the runner reads them, so they stay as in English`);
  }
  return problems;
}

/**
 * The English documents that need a Korean twin: the top README and each lesson's README and
 * hints (read from the folders: listLessons would hand back the Korean files in Korean).
 */
export function documentsWithTwins(root = ROOT): string[] {
  const lessons = fs.readdirSync(path.join(root, 'lessons')).filter((name) => /^\d{2}-/.test(name)).sort();
  return [
    path.join(root, 'README.md'),
    ...lessons.flatMap((id) => ['README.md', 'hints.md'].map((name) => path.join(root, 'lessons', id, name))),
  ];
}

/** Every problem of the Korean edition, one sentence each, naming the file. */
export function koreanEditionProblems(root = ROOT): string[] {
  const problems: string[] = [];
  for (const english of documentsWithTwins(root)) {
    const korean = twinOf(english, 'ko');
    const name = path.relative(root, korean);
    if (!fs.existsSync(english)) continue; // the lesson files check names a missing English file
    if (!fs.existsSync(korean)) {
      problems.push(`${name} is missing: every ${path.basename(english)} has a Korean twin`);
      continue;
    }
    for (const problem of twinProblems(fs.readFileSync(english, 'utf8'), fs.readFileSync(korean, 'utf8'))) problems.push(`${name}: ${problem}`);
  }
  return problems;
}
