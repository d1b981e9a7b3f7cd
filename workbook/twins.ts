/**
 * The Korean edition's guard: every README.md and hints.md has a `.ko.md` twin that is the same
 * document in another language. The prose may differ in every word; the code blocks may differ only
 * in their comments (which a twin translates), the headings must match in number, level and order,
 * and hint headings (read by the runner) must be the very same lines.
 *
 * Beyond the twins, GLOSSARY.ko.md fixes one Korean term per idea, and the guard holds the Korean
 * files to it: no spelling the glossary rejects, the English term in parentheses where a file first
 * uses a Korean one, a heading that names a glossary idea in English names it in Korean too, and
 * the glossary's own column of first lessons true. It also refuses English placeholders
 * (`<your words>`) and two parentheses in a row in Korean prose, and comments left in English
 * inside a twin's code blocks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { twinOf } from './lessons.ts';
import { ROOT } from './target.ts';

const FENCE = /^\s*(```|~~~)\s*([\w+-]*)/;
const CLOSING_FENCE = /^\s*(```|~~~)\s*$/;

interface CodeBlock {
  /** The whole block, fences included, as written. */
  text: string;
  /** The fence's language (`ts`, `python`, …), empty when it names none. */
  info: string;
}

interface Outline {
  blocks: CodeBlock[];
  /** Every heading outside code: its level and its text. */
  headings: { level: number; text: string }[];
}

export function outline(markdown: string): Outline {
  const blocks: CodeBlock[] = [];
  const headings: Outline['headings'] = [];
  let block: { lines: string[]; info: string } | undefined;
  for (const line of markdown.split('\n')) {
    if (block) {
      block.lines.push(line);
      if (CLOSING_FENCE.test(line)) {
        blocks.push({ text: block.lines.join('\n'), info: block.info });
        block = undefined;
      }
      continue;
    }
    const fence = line.match(FENCE);
    if (fence) {
      block = { lines: [line], info: fence[2]!.toLowerCase() };
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) headings.push({ level: heading[1]!.length, text: heading[2]!.trim() });
  }
  if (block) blocks.push({ text: block.lines.join('\n'), info: block.info }); // an unclosed block still counts, whole
  return { blocks, headings };
}

// ---------------------------------------------------------------------------------------------
// Code and its comments

/**
 * How a block's language writes comments. `slash`: `// …` and `/* … *\/` (TypeScript, JavaScript).
 * `hash`: `# …` (Python, shell, YAML, and blocks that name no language: in this workbook those are
 * terminal lines). `hash-line`: `#` only at the start of a line (a Dockerfile). `none`: JSON, HTML,
 * anything else; such a block is compared byte for byte.
 */
type CommentSyntax = 'slash' | 'hash' | 'hash-line' | 'none';

function commentSyntax(info: string): CommentSyntax {
  if (['ts', 'tsx', 'typescript', 'js', 'jsx', 'javascript', 'mjs', 'cjs', 'jsonc', 'json5'].includes(info)) return 'slash';
  if (['', 'sh', 'bash', 'shell', 'zsh', 'console', 'python', 'py', 'yaml', 'yml', 'toml'].includes(info)) return 'hash';
  if (info === 'dockerfile') return 'hash-line';
  return 'none';
}

/** Where a comment stands in the code: replaced by this mark, so code around it can be compared. */
const COMMENT_MARK = '\u0001';

interface Split {
  /** Each line with every comment replaced by COMMENT_MARK (and the spaces before a comment that ends the line dropped, since a translation may realign it). */
  shape: string[];
  /** The comments' texts, in order, without their `//`, `#`, `/*`, `*\/`. */
  comments: string[];
}

/**
 * A code block's lines split into code and comments. A comment starts only outside a string
 * (`'…'`, `"…"`, and for `slash` also `` `…` ``, which may span lines) and only at the start of a
 * line or after white space: `'http://x'`, `a//b` and `#fragment` are code. Erring this way is
 * safe: a comment taken for code can only make the guard stricter, never let code drift.
 */
export function splitComments(block: string, info: string): Split {
  const syntax = commentSyntax(info);
  const lines = block.split('\n');
  if (syntax === 'none') return { shape: lines, comments: [] };
  const shape: string[] = [];
  const comments: string[] = [];
  let inBlockComment: string[] | undefined; // the open /* … */ comment's parts, across lines
  let inTemplate = false; // inside a `…` string, which may span lines
  lines.forEach((line, index) => {
    const fenceLine = index === 0 || (index === lines.length - 1 && CLOSING_FENCE.test(line));
    if (fenceLine) {
      shape.push(line);
      return;
    }
    let out = '';
    let quote: string | undefined = inTemplate ? '`' : undefined;
    let position = 0;
    const startsHere = (at: number) => at === 0 || /\s/.test(line[at - 1]!);
    while (position < line.length) {
      if (inBlockComment) {
        const end = line.indexOf('*/', position);
        if (end < 0) {
          inBlockComment.push(line.slice(position));
          position = line.length;
          break;
        }
        inBlockComment.push(line.slice(position, end));
        comments.push(inBlockComment.join('\n').trim());
        inBlockComment = undefined;
        out += COMMENT_MARK;
        position = end + 2;
        continue;
      }
      const char = line[position]!;
      if (quote) {
        if (char === '\\') {
          out += line.slice(position, position + 2);
          position += 2;
          continue;
        }
        if (char === quote) quote = undefined;
        out += char;
        position += 1;
        continue;
      }
      if (char === "'" || char === '"' || (char === '`' && syntax === 'slash')) {
        quote = char;
        out += char;
        position += 1;
        continue;
      }
      const lineComment =
        (syntax === 'slash' && line.startsWith('//', position) && startsHere(position)) ||
        (syntax === 'hash' && char === '#' && startsHere(position)) ||
        (syntax === 'hash-line' && char === '#' && line.slice(0, position).trim() === '');
      if (lineComment) {
        comments.push(line.slice(position + (char === '#' ? 1 : 2)).trim());
        // A whole-line comment keeps its indent; a trailing one may be realigned.
        out = out.trim() === '' ? `${out}${COMMENT_MARK}` : `${out.trimEnd()} ${COMMENT_MARK}`;
        position = line.length;
        break;
      }
      if (syntax === 'slash' && line.startsWith('/*', position) && startsHere(position)) {
        inBlockComment = [];
        position += 2;
        continue;
      }
      out += char;
      position += 1;
    }
    if (inBlockComment && !out.endsWith(COMMENT_MARK)) out += COMMENT_MARK;
    inTemplate = quote === '`';
    shape.push(out);
  });
  if (inBlockComment) comments.push(inBlockComment.join('\n').trim());
  return { shape, comments };
}

/**
 * Small English words that prose cannot do without and code comments that only name things (`//
 * id: number`, `// (err, req, res, next)`, `# FastAPI / pydantic`) do not use.
 */
const ENGLISH_FUNCTION_WORDS = new Set(
  ('a an the is are was were be been being and or but not nor no for to of in on at by with from into as it its ' +
    "it's this that these those here there when whenever if then than so only every each all any both you your we " +
    'our they their too also still once per same what which who where why how does do did done can cannot must may ' +
    'will would should has have had nothing anything something none since before after until while without about ' +
    "isn't doesn't don't can't won't")
    .split(' '),
);

/** Prose in English: it has one of the small words above (see ENGLISH_FUNCTION_WORDS). */
export function isEnglishProse(text: string): boolean {
  const words = text.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [];
  return words.some((word) => ENGLISH_FUNCTION_WORDS.has(word));
}

// ---------------------------------------------------------------------------------------------
// The twin rules

/** A hint heading, which the runner parses: it must be the same line in both languages. */
const HINT_HEADING = /^(TODO \d+, hint \d+|Hint \d+)$/;

/** What keeps `korean` from being the twin of `english`; empty when it is one. */
export function twinProblems(english: string, korean: string): string[] {
  const en = outline(english);
  const ko = outline(korean);
  const problems: string[] = [];
  if (en.blocks.length !== ko.blocks.length) {
    problems.push(`${ko.blocks.length} code block(s) where the English has ${en.blocks.length}`);
  }
  const blocks = Math.min(en.blocks.length, ko.blocks.length);
  for (let index = 0; index < blocks; index += 1) {
    const enBlock = en.blocks[index]!;
    const koBlock = ko.blocks[index]!;
    const first = enBlock.text.split('\n')[1]?.trim().slice(0, 50) ?? '';
    const enSplit = splitComments(enBlock.text, enBlock.info);
    const koSplit = splitComments(koBlock.text, enBlock.info);
    if (enSplit.shape.join('\n') !== koSplit.shape.join('\n')) {
      problems.push(
        `code block ${index + 1} (it starts "${first}") differs from the English one outside its comments; code is copied byte for byte, only comments are translated`,
      );
      continue;
    }
    enSplit.comments.forEach((comment, at) => {
      if (koSplit.comments[at] === comment && isEnglishProse(comment)) {
        problems.push(`code block ${index + 1} (it starts "${first}") keeps the English comment "${comment.slice(0, 60)}": translate it`);
      }
    });
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

// ---------------------------------------------------------------------------------------------
// Korean prose: what a reader reads, code aside

const HANGUL = /\p{Script=Hangul}/u;

/** What inline code becomes in the prose the glossary rules read. */
const CODE_MARK = '\u0002';

/**
 * The prose of a Markdown file, line for line: fenced code blocks and headings blanked, link
 * targets and bare URLs dropped, and inline code replaced by `codeMark` (its line breaks kept, so
 * line numbers stay true). With `keepInlineCode`, inline code stays, backticks and all.
 */
export function proseOf(markdown: string, options: { keepInlineCode?: boolean; keepHeadings?: boolean; dropLinkText?: boolean } = {}): string {
  let inBlock = false;
  const lines = markdown.split('\n').map((line) => {
    if (inBlock) {
      if (CLOSING_FENCE.test(line)) inBlock = false;
      return '';
    }
    if (FENCE.test(line)) {
      inBlock = true;
      return '';
    }
    if (!options.keepHeadings && /^#{1,6}\s/.test(line)) return '';
    return line;
  });
  let text = lines.join('\n');
  if (!options.keepInlineCode) {
    // A code span: a run of backticks, then anything but a blank line, then the same run.
    text = text.replace(/(`+)((?:(?!\n\s*\n)[\s\S])*?)\1(?!`)/g, (_span, _ticks: string, code: string) => `${CODE_MARK}${code.replace(/[^\n]/g, '')}`);
  }
  if (options.dropLinkText) text = text.replace(/(?<!!)\[([^\]]*)\]\([^)\s]*\)/g, (_link, label: string) => label.replace(/[^\n]/g, ''));
  return text
    .replace(/\]\([^)\s]*\)/g, ']') // [text](target) → [text]
    .replace(/<?https?:\/\/[^\s)>]+>?/g, ''); // bare and <autolinked> URLs
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** TypeScript's words that sit between names inside `<…>`: `<K extends keyof T>` is a type, not a placeholder. */
const TYPE_KEYWORDS = new Set(['extends', 'keyof', 'typeof', 'infer', 'readonly', 'unique', 'asserts', 'is', 'as', 'in', 'new']);

/**
 * English placeholders in Korean prose (inline code included, fenced code not): text in `<…>` on
 * one line that holds no code punctuation (= ( ) { } [ ] " ' ` ; $ | & *) and two English words
 * of two letters or more side by side, separated by one space, neither of them one of TypeScript's
 * type keywords. `<your words>` and `<nothing at issue.path in req.body>` are placeholders;
 * `<redoc spec-url="…">`, `Map<number, User>`, `<K extends keyof T>` and `<우리가 쓴 문구>` are not.
 */
export function englishPlaceholders(korean: string): { line: number; text: string }[] {
  const prose = proseOf(korean, { keepInlineCode: true });
  const found: { line: number; text: string }[] = [];
  for (const match of prose.matchAll(/<([^<>\n]+)>/g)) {
    const inside = match[1]!;
    if (/[=(){}[\]"'`;$|&*]/.test(inside)) continue;
    const pairs = [...inside.matchAll(/(?<![A-Za-z])([A-Za-z]{2,}) (?=([A-Za-z]{2,})(?![A-Za-z]))/g)];
    if (pairs.some((pair) => !TYPE_KEYWORDS.has(pair[1]!) && !TYPE_KEYWORDS.has(pair[2]!))) {
      found.push({ line: lineOf(prose, match.index), text: match[0] });
    }
  }
  return found;
}

/**
 * Two parenthesized groups in a row in Korean prose, code and link targets aside: a gloss
 * followed by an aside, `**검증기(validator)**(잘못된 입력을 …)`, reads badly; the aside belongs
 * in the sentence.
 */
export function doubleParentheses(korean: string): { line: number; text: string }[] {
  const prose = proseOf(korean);
  return [...prose.matchAll(/\([^()\n]*\)[*_]*\([^()\n]*\)/g)].map((match) => ({ line: lineOf(prose, match.index), text: match[0] }));
}

// ---------------------------------------------------------------------------------------------
// The glossary

export interface Term {
  /** The Korean forms, the first being the term itself (`검증`, `검증하다`). */
  korean: string[];
  /** The English it stands for, in any of its forms (`validation`, `validate`). */
  english: string[];
  /** The lessons the glossary says use it, the first being where it first appears (`01`, …). */
  lessons: string[];
  /** Spellings the glossary rejects for it. */
  rejected: string[];
  /** Kept in English (its Korean form is the English one): no parentheses asked for. */
  keptInEnglish: boolean;
  /**
   * `term`: every rule. `spelling`: a fixed spelling for an everyday phrase (`학습 노트`), no
   * English asked for. `section`: a section title (`주의할 점` for "Pitfalls"), held in headings only.
   */
  kind: 'term' | 'spelling' | 'section';
}

/** Splits a glossary cell on `,` and `/`, dropping notes in parentheses. */
function forms(cell: string): string[] {
  return cell
    .replace(/\([^)]*\)/g, '')
    .split(/\s*[,/]\s*/)
    .map((form) => form.trim())
    .filter((form) => form !== '');
}

/** A verb form's stem, as it is found in running text: `검증하다` is found as `검증`. */
function stem(form: string): string {
  return form.replace(/(하다|되다)$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A Korean form as it stands in prose: its words may be split by a line break, and a gloss may
 * follow a word inside it (`빠짐없는(exhaustive) \`switch\``); a part in backticks is inline code.
 */
function koreanForm(form: string): RegExp {
  const words = stem(form)
    .split(/\s+/)
    .map((word) => (/^`.*`$/.test(word) ? CODE_MARK : escapeRegExp(word)));
  const pattern = words.join('(?:\\([^()\\n]*\\))?\\s+');
  // Korean particles follow a word, nothing Korean comes before it: `타입` is not in `프로토타입`.
  // A term kept in English is a word of its own, in any case: "Liveness" is "liveness", "Service" is not in "InferenceService".
  return HANGUL.test(form) ? new RegExp(`(?<!\\p{Script=Hangul})${pattern}`, 'gu') : new RegExp(`(?<![A-Za-z])${pattern}(?![A-Za-z])`, 'giu');
}

/**
 * GLOSSARY.ko.md's tables. Each row: `| 용어 | English | 처음 나오는 레슨 | 쓰지 않는 표기 | 메모 |`.
 * Rows under a heading containing "절 제목" are section titles, under one containing "표기"
 * spellings; the first table's rows are terms. Forms in a cell are separated by `,` or `/`; text
 * in parentheses is a note; the lessons are the links' two-digit numbers.
 */
export function parseGlossary(markdown: string): Term[] {
  const terms: Term[] = [];
  let kind: Term['kind'] = 'term';
  for (const line of markdown.split('\n')) {
    if (/^#{2,6}\s/.test(line)) kind = line.includes('절 제목') ? 'section' : line.includes('표기') ? 'spelling' : 'term';
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    if (cells.length < 2 || cells[0] === '용어') continue;
    const korean = forms(cells[0]!);
    const english = forms(cells[1]!).map((form) => form.replace(/`/g, ''));
    if (korean.length === 0 || english.length === 0) continue;
    terms.push({
      korean,
      english,
      lessons: [...(cells[2] ?? '').matchAll(/\[(\d{2})\]/g)].map((match) => match[1]!),
      rejected: forms(cells[3] ?? ''),
      keptInEnglish: !HANGUL.test(korean[0]!),
      kind,
    });
  }
  return terms;
}

/** Blanks each place a longer term stands, so a shorter one inside it (`타입` in `유니언 타입`) is not found there. */
function maskedFor(term: Term, terms: Term[], text: string): string {
  const mine = term.korean.map(stem);
  const longer = terms
    .flatMap((other) => (other === term ? [] : other.korean))
    .filter((form) => mine.some((own) => stem(form).length > own.length && stem(form).includes(own)))
    .sort((a, b) => stem(b).length - stem(a).length);
  for (const form of longer) text = text.replace(koreanForm(form), (found) => found.replace(/[^\n]/g, '\u0003'));
  return text;
}

/** A Korean verb's ending right after a noun: `응답합니다`, `검증된`, `바인딩해`. */
const VERB_ENDING = /^(하|합|한|할|해|했|되|된|될|됩|돼|됐)/;

/**
 * The first place `term` is used in `prose` (the longer terms that hold it aside), or undefined;
 * with `nounsOnly`, the first place it is a noun (`응답을`, not `응답합니다`), which is where a gloss
 * belongs: the English term is a noun.
 */
function firstUse(term: Term, terms: Term[], prose: string, nounsOnly = false): { index: number; text: string } | undefined {
  const text = maskedFor(term, terms, prose);
  let first: { index: number; text: string } | undefined;
  for (const form of term.korean) {
    for (const match of text.matchAll(koreanForm(form))) {
      if (nounsOnly && VERB_ENDING.test(text.slice(match.index + match[0].length))) continue;
      if (first === undefined || match.index < first.index) first = { index: match.index, text: match[0] };
      break;
    }
  }
  return first;
}

function uses(term: Term, terms: Term[], prose: string): boolean {
  return firstUse(term, terms, prose) !== undefined;
}

const WORD_EDGE_BEFORE = '(?<![A-Za-z0-9_])';
const WORD_EDGE_AFTER = '(?![A-Za-z0-9_])';

/** An English form as a whole word, plural allowed: `type` finds "types" but not "typeof". */
function englishWord(form: string): RegExp {
  return new RegExp(`${WORD_EDGE_BEFORE}${escapeRegExp(form)}(?:s|es)?${WORD_EDGE_AFTER}`, 'gi');
}

/**
 * Whether `text` (a gloss's inside) names the term in English: one of its forms as a whole word,
 * or the start of one when the gloss stands after the term's first word (`빠짐없는(exhaustive)`).
 */
function namesInEnglish(term: Term, text: string): boolean {
  const gloss = text.trim().toLowerCase();
  return term.english.some((form) => englishWord(form).test(text) || (gloss.length >= 3 && form.toLowerCase().startsWith(`${gloss} `)));
}

/**
 * What a Korean file does against the glossary, one sentence each (without the file's name):
 * a rejected spelling in its prose; a term whose first use as a noun in the prose (headings, code
 * and link texts aside: those are titles and code) has no English in parentheses right after it,
 * or after one of its words (`빠짐없는(exhaustive) \`switch\``), or after the compound it starts
 * (`응답 모델(response model)`).
 */
export function glossaryProblems(korean: string, terms: Term[]): string[] {
  const problems: string[] = [];
  const prose = proseOf(korean);
  for (const term of terms) {
    for (const rejected of term.rejected) {
      for (const match of prose.matchAll(new RegExp(escapeRegExp(rejected), 'g'))) {
        // A rejected Latin spelling is fine as the English gloss in parentheses: "정제 규칙(refinement)".
        const gloss = !HANGUL.test(rejected) && /\([^()]*$/.test(prose.slice(Math.max(0, match.index - 80), match.index));
        if (!gloss) problems.push(`line ${lineOf(prose, match.index)}: "${rejected}" is written "${term.korean[0]}" (GLOSSARY.ko.md)`);
      }
    }
  }
  const titlesAside = proseOf(korean, { dropLinkText: true });
  for (const term of terms) {
    if (term.keptInEnglish || term.kind !== 'term') continue;
    const first = firstUse(term, terms, titlesAside, true);
    if (!first) continue;
    const inside = [...first.text.matchAll(/\(([^()]*)\)/g)].map((gloss) => gloss[1]!);
    const rest = titlesAside.slice(first.index + first.text.length);
    const after = rest.match(/^[*_]*\(([^()]*)\)/);
    if (after) inside.push(after[1]!);
    // A compound glossed whole, after its last word: "응답 모델(response model)" glosses 응답 too.
    const compound = rest.match(/^ [^\s()`]+\(([^()]*)\)/);
    if (compound && term.english.some((form) => englishWord(form).test(compound[1]!))) inside.push(compound[1]!);
    if (!inside.some((gloss) => namesInEnglish(term, gloss))) {
      const shown = first.text.replace(/\s+/g, ' ').replace(new RegExp(CODE_MARK, 'g'), '`…`');
      problems.push(`line ${lineOf(titlesAside, first.index)}: "${shown}" is the first use of "${term.korean[0]}" here, without its English in parentheses: write "${shown}(${term.english[0]})"`);
    }
  }
  return problems;
}

/**
 * A heading that names a glossary idea in English (`## Pitfalls`, `## Path parameters`) names it
 * in Korean in the twin (`## 주의할 점`, `## 경로 매개변수`), with the glossary's term, or keeps
 * the very English word where that is an identifier (`parse와 safeParse`, `앱 팩토리와 Router`).
 * Longer English terms are matched first, so "Open Inference Protocol" is not also "inference".
 */
export function headingProblems(english: string, korean: string, terms: Term[]): string[] {
  const en = outline(english).headings;
  const ko = outline(korean).headings;
  if (en.length !== ko.length) return []; // twinProblems names that
  const byLength = terms
    .flatMap((term) => term.english.map((form) => ({ term, form })))
    .sort((a, b) => b.form.length - a.form.length);
  const problems: string[] = [];
  en.forEach((heading, index) => {
    if (HINT_HEADING.test(heading.text)) return;
    const koText = ko[index]!.text;
    let text = heading.text;
    const named = new Map<Term, string[]>();
    for (const { term, form } of byLength) {
      for (const found of text.match(englishWord(form)) ?? []) named.set(term, [...(named.get(term) ?? []), found]);
      text = text.replace(englishWord(form), (found) => '\u0003'.repeat(found.length));
    }
    for (const [term, words] of named) {
      const korean = term.keptInEnglish ? term.english : term.korean.map(stem);
      if (!korean.some((form) => koreanForm(form).test(koText)) && !words.some((word) => koText.includes(word))) {
        problems.push(`heading "${koText}" is the twin of "${heading.text}", which names ${term.english[0]}: write "${term.korean[0]}" in it (GLOSSARY.ko.md)`);
      }
    }
  });
  return problems;
}

/**
 * The glossary against the files: a term no Korean file uses; a term whose first lesson is not
 * the one the glossary names, or that a lesson it names does not use.
 */
export function glossaryColumnProblems(terms: Term[], lessons: { number: string; prose: string }[], others: string[]): string[] {
  const problems: string[] = [];
  for (const term of terms) {
    if (term.kind === 'section') continue;
    const using = lessons.filter((lesson) => uses(term, terms, lesson.prose)).map((lesson) => lesson.number);
    if (using.length === 0 && !others.some((prose) => uses(term, terms, prose))) {
      problems.push(`GLOSSARY.ko.md: "${term.korean[0]}" is used in no Korean file: remove it, or use it`);
      continue;
    }
    if (term.lessons.length === 0) continue; // a term of the top README only
    if (using[0] !== term.lessons[0]) {
      problems.push(`GLOSSARY.ko.md: "${term.korean[0]}" first appears in lesson ${using[0] ?? '(none)'}, not ${term.lessons[0]}`);
    }
    for (const lesson of term.lessons.slice(1)) {
      if (!using.includes(lesson)) problems.push(`GLOSSARY.ko.md: "${term.korean[0]}" is not used in lesson ${lesson}, which the glossary names`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The whole workbook

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
  const glossaryFile = path.join(root, 'GLOSSARY.ko.md');
  const terms = fs.existsSync(glossaryFile) ? parseGlossary(fs.readFileSync(glossaryFile, 'utf8')) : undefined;
  if (!terms) problems.push('GLOSSARY.ko.md is missing: it lists the Korean terms the twins use');
  const lessons = new Map<string, string[]>();
  const others: string[] = [];
  for (const english of documentsWithTwins(root)) {
    const korean = twinOf(english, 'ko');
    const name = path.relative(root, korean);
    if (!fs.existsSync(english)) continue; // the lesson files check names a missing English file
    if (!fs.existsSync(korean)) {
      problems.push(`${name} is missing: every ${path.basename(english)} has a Korean twin`);
      continue;
    }
    const enText = fs.readFileSync(english, 'utf8');
    const koText = fs.readFileSync(korean, 'utf8');
    const own: string[] = [...twinProblems(enText, koText)];
    for (const placeholder of englishPlaceholders(koText)) {
      own.push(`line ${placeholder.line}: ${placeholder.text} is an English placeholder in Korean prose: write what it stands for in Korean`);
    }
    for (const twice of doubleParentheses(koText)) {
      own.push(`line ${twice.line}: "${twice.text}" puts two parentheses in a row: say the second one in the sentence`);
    }
    if (terms) own.push(...glossaryProblems(koText, terms), ...headingProblems(enText, koText, terms));
    for (const problem of own) problems.push(`${name}: ${problem}`);
    const number = path.relative(root, korean).match(/^lessons[\\/](\d{2})-/)?.[1];
    const prose = proseOf(koText, { keepHeadings: true });
    if (number) lessons.set(number, [...(lessons.get(number) ?? []), prose]);
    else others.push(prose);
  }
  if (terms) {
    const byLesson = [...lessons].sort(([a], [b]) => a.localeCompare(b)).map(([number, proses]) => ({ number, prose: proses.join('\n') }));
    problems.push(...glossaryColumnProblems(terms, byLesson, others));
  }
  return problems;
}
