import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  doubleParentheses,
  englishPlaceholders,
  glossaryColumnProblems,
  glossaryProblems,
  headingProblems,
  isEnglishProse,
  koreanEditionProblems,
  parseGlossary,
  proseOf,
  splitComments,
  twinProblems,
} from '../twins.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

const english = ['# Title', '', 'Some words.', '', '```ts', 'const a = 1; // => 1', '```', '', '## Part', '', 'More.', ''].join('\n');
const korean = ['# 제목', '', '몇 마디.', '', '```ts', 'const a = 1; // => 1', '```', '', '## 부분', '', '더.', ''].join('\n');

/** A one-block document in either language: the block's language and its lines. */
const doc = (info: string, ...lines: string[]) => ['# T', '', `\`\`\`${info}`, ...lines, '```', ''].join('\n');

describe('the Korean edition guard', () => {
  test('a twin with other words but the same code blocks and headings has no problems', () => {
    expect(twinProblems(english, korean)).toEqual([]);
  });

  test('a code block changed by one character outside its comments, or one missing, is named', () => {
    expect(twinProblems(english, korean.replace('const a = 1;', 'const a = 2;'))).toEqual([expect.stringMatching(/^code block 1 .*differs/)]);
    expect(twinProblems(english, korean.replace(/```ts[\s\S]*?```\n/, ''))).toEqual([expect.stringMatching(/0 code block\(s\) where the English has 1/)]);
  });

  test('a heading missing, added or at another level is named', () => {
    expect(twinProblems(english, korean.replace('## 부분', '부분'))).toEqual([expect.stringMatching(/headings/)]);
    expect(twinProblems(english, korean.replace('## 부분', '### 부분'))).toEqual([expect.stringMatching(/headings/)]);
    expect(twinProblems(english, `${korean}\n## 덧붙임\n`)).toEqual([expect.stringMatching(/headings/)]);
  });

  test('a "#" inside a code block is code, not a heading', () => {
    const withComment = (text: string) => text.replace('const a = 1; // => 1', '# a shell comment');
    expect(twinProblems(withComment(english), withComment(korean))).toEqual([]);
  });

  test('hint headings must stay the English lines', () => {
    const hints = '# Hints\n\n## TODO 1, hint 1\n\nA nudge.\n\n## TODO 1, hint 2\n\nCloser.\n';
    expect(twinProblems(hints, '# 힌트\n\n## TODO 1, hint 1\n\n방향.\n\n## TODO 1, hint 2\n\n거의 답.\n')).toEqual([]);
    expect(twinProblems(hints, '# 힌트\n\n## TODO 1, 힌트 1\n\n방향.\n\n## TODO 1, 힌트 2\n\n거의 답.\n')).toEqual([expect.stringMatching(/hint headings/)]);
  });
});

describe('comments in code blocks may be translated; the code may not change', () => {
  test('a translated // comment passes, realigned or not; code around it is still compared', () => {
    const en = doc('ts', "const a = f('x');   // here a is a string", '// the whole line explains');
    expect(twinProblems(en, doc('ts', "const a = f('x');   // 여기서 a는 string", '// 줄 전체가 설명'))).toEqual([]);
    expect(twinProblems(en, doc('ts', "const a = f('x'); // 여기서 a는 string", '// 줄 전체가 설명')), 'a trailing comment may move').toEqual([]);
    expect(twinProblems(en, doc('ts', "const a = f('y');   // 여기서 a는 string", '// 줄 전체가 설명'))).toEqual([expect.stringMatching(/differs from the English one outside its comments/)]);
    expect(twinProblems(en, doc('ts', "const a = f('x');", '// 줄 전체가 설명')), 'a comment dropped').toEqual([expect.stringMatching(/differs/)]);
    expect(twinProblems(en, doc('ts', "const a = f('x');   // 여기서 a는 string", '  // 줄 전체가 설명')), 'a whole-line comment keeps its indent').toEqual([expect.stringMatching(/differs/)]);
  });

  test('/* … */ comments are comments, on one line or several', () => {
    const en = doc('ts', 'app.listen(8000, (error) => { /* error is set when it fails */ });', '/* two', '   lines */ run();');
    expect(twinProblems(en, doc('ts', 'app.listen(8000, (error) => { /* 실패하면 error가 채워짐 */ });', '/* 두', '   줄 */ run();'))).toEqual([]);
    expect(twinProblems(en, doc('ts', 'app.listen(8001, (error) => { /* 실패하면 error가 채워짐 */ });', '/* 두', '   줄 */ run();'))).toEqual([expect.stringMatching(/differs/)]);
  });

  test('// inside a string or a URL is code, and so is a // that does not follow a space', () => {
    const en = doc('ts', "fetch('http://127.0.0.1:8000/a'); // the URL", 'const s = `a // b`;', 'x = a//b;');
    expect(splitComments(en.split('\n').slice(2, -1).join('\n'), 'ts').comments).toEqual(['the URL']);
    expect(twinProblems(en, doc('ts', "fetch('http://127.0.0.1:8000/b'); // URL", 'const s = `a // b`;', 'x = a//b;'))).toEqual([expect.stringMatching(/differs/)]);
    expect(twinProblems(en, doc('ts', "fetch('http://127.0.0.1:8000/a'); // URL", 'const s = `a // 나`;', 'x = a//b;'))).toEqual([expect.stringMatching(/differs/)]);
    expect(twinProblems(en, doc('ts', "fetch('http://127.0.0.1:8000/a'); // URL", 'const s = `a // b`;', 'x = a//나;'))).toEqual([expect.stringMatching(/differs/)]);
  });

  test('# starts a comment in Python, shell, YAML and blocks that name no language, outside quotes and after a space', () => {
    const python = doc('python', 'print("a # b")   # prints the line');
    expect(twinProblems(python, doc('python', 'print("a # b")   # 줄을 출력'))).toEqual([]);
    expect(twinProblems(python, doc('python', 'print("a # 나")   # 줄을 출력')), '# inside a string is code').toEqual([expect.stringMatching(/differs/)]);
    const shell = doc('', 'npm test -- 03      # the tests for your file', 'curl http://x/#top');
    expect(twinProblems(shell, doc('', 'npm test -- 03      # 여러분의 파일에 대한 테스트', 'curl http://x/#top'))).toEqual([]);
    expect(twinProblems(shell, doc('', 'npm test -- 03      # 여러분의 파일에 대한 테스트', 'curl http://x/#bottom')), 'a # inside a word is code').toEqual([expect.stringMatching(/differs/)]);
    const yaml = doc('yaml', 'replicas: 2   # one per zone');
    expect(twinProblems(yaml, doc('yaml', 'replicas: 2   # 존마다 하나'))).toEqual([]);
  });

  test('a Dockerfile comment is a whole line; JSON and HTML have none and are compared byte for byte', () => {
    const docker = doc('dockerfile', '# the build stage', 'ENV HOST=0.0.0.0 # not a comment here');
    expect(twinProblems(docker, doc('dockerfile', '# 빌드 스테이지', 'ENV HOST=0.0.0.0 # not a comment here'))).toEqual([]);
    expect(twinProblems(docker, doc('dockerfile', '# 빌드 스테이지', 'ENV HOST=0.0.0.0 # 여기서는 주석이 아님'))).toEqual([expect.stringMatching(/differs/)]);
    expect(twinProblems(doc('json', '{ "a": "// b" }'), doc('json', '{ "a": "// 나" }'))).toEqual([expect.stringMatching(/differs/)]);
  });

  test('a comment left as the English prose is named; one that only names code may stay', () => {
    const en = doc('ts', 'const id = 1;     // id: number', 'use(id);          // the id is used once');
    expect(twinProblems(en, doc('ts', 'const id = 1;     // id: number', 'use(id);          // id를 한 번 씀'))).toEqual([]);
    expect(twinProblems(en, en)).toEqual([expect.stringMatching(/keeps the English comment "the id is used once": translate it/)]);
    expect(isEnglishProse('include_router(prefix="/users")')).toBe(false);
    expect(isEnglishProse('(err, req, res, next)')).toBe(false);
    expect(isEnglishProse('POST /, GET /, PUT /:id, DELETE /:id')).toBe(false);
    expect(isEnglishProse('digits only')).toBe(true);
    expect(isEnglishProse('숫자만')).toBe(false);
  });
});

describe('English placeholders in Korean prose', () => {
  test('text in <…> with two English words side by side, and no code punctuation, is a placeholder', () => {
    const text = [
      '`res.json({ detail: <your words> })`로 답합니다.',
      '`type`은 `<nothing at issue.path in req.body>`일 때 `missing`입니다.',
      '400 `{"detail": "<our own words>"}`',
    ].join('\n');
    expect(englishPlaceholders(text).map((found) => [found.line, found.text])).toEqual([
      [1, '<your words>'],
      [2, '<nothing at issue.path in req.body>'],
      [3, '<our own words>'],
    ]);
  });

  test('types, HTML, Korean placeholders and code blocks are not placeholders', () => {
    const text = [
      '`Map<number, User>`, `Record<string, string>`, `<K extends keyof T>`, `RequestHandler<Record<string, string>, unknown, z.output<S>>`',
      '`<redoc spec-url="${escape(specUrl)}"></redoc>`, `<title>`, `</title><script>…`, `400 <= status && status < 500`',
      '`res.json({ detail: <직접 쓴 문구> })`, <https://example.com/a b>',
      '```ts',
      'answer(<your words>);',
      '```',
    ].join('\n');
    expect(englishPlaceholders(text)).toEqual([]);
  });
});

describe('two parentheses in a row', () => {
  test('a gloss followed by an aside is named; a link followed by a note, or code, is not', () => {
    expect(doubleParentheses('**검증기(validator)**(잘못된 입력을 거부합니다)와\n미들웨어(middleware)(그때는 정해져 있습니다).\n').map((found) => found.line)).toEqual([1, 2]);
    expect(doubleParentheses('[CONTRIBUTING.md](CONTRIBUTING.md)(영어), `f(a)(b)`, 검증기(validator), 그리고 (따로).\n')).toEqual([]);
  });
});

const GLOSSARY = `# 용어집

| 용어 | English | 처음 나오는 레슨 | 쓰지 않는 표기 | 메모 |
|---|---|---|---|---|
| 타입 | type | [01](lessons/01-a/README.ko.md) | | |
| 유니언 타입 | union type | [02](lessons/02-b/README.ko.md) | | |
| 검증, 검증하다 | validation, validate | [01](lessons/01-a/README.ko.md) | 유효성 검사 | |
| 정제 규칙 | refinement | [01](lessons/01-a/README.ko.md), [02](lessons/02-b/README.ko.md) | refinement, refine한 | zod의 \`.refine\` |
| 빠짐없는 \`switch\` | exhaustive \`switch\` | [02](lessons/02-b/README.ko.md) | | |
| 테스트 스위트 | test suite | [01](lessons/01-a/README.ko.md) | | |
| 추론 | inference | [02](lessons/02-b/README.ko.md) | | |
| Open Inference Protocol | Open Inference Protocol | [02](lessons/02-b/README.ko.md) | | 영어 그대로 |
| 라우터 | router | [02](lessons/02-b/README.ko.md) | | |

## 정해 둔 표기

| 용어 | English | 처음 나오는 레슨 | 쓰지 않는 표기 | 메모 |
|---|---|---|---|---|
| 학습 노트 | study note | [01](lessons/01-a/README.ko.md) | 스터디 노트 | |

## 절 제목

| 용어 | English | 처음 나오는 레슨 | 쓰지 않는 표기 | 메모 |
|---|---|---|---|---|
| 주의할 점 | Pitfalls | [01](lessons/01-a/README.ko.md) | 자주 하는 실수 | |
`;
const terms = parseGlossary(GLOSSARY);
const term = (korean: string) => terms.find((each) => each.korean[0] === korean)!;

describe('the glossary', () => {
  test('its rows become terms: forms, English, lessons, rejected spellings, and what kind of row', () => {
    expect(term('검증')).toEqual({ korean: ['검증', '검증하다'], english: ['validation', 'validate'], lessons: ['01'], rejected: ['유효성 검사'], keptInEnglish: false, kind: 'term' });
    expect(term('정제 규칙').lessons).toEqual(['01', '02']);
    expect(term('빠짐없는 `switch`').english).toEqual(['exhaustive switch']);
    expect(term('Open Inference Protocol').keptInEnglish).toBe(true);
    expect(term('학습 노트').kind).toBe('spelling');
    expect(term('주의할 점').kind).toBe('section');
  });

  test('a spelling it rejects is named where it stands; a rejected English word is fine as the gloss in parentheses', () => {
    expect(glossaryProblems('학습 노트(study note) 이야기.\n스터디 노트는 아닙니다.\n', terms)).toEqual(['line 2: "스터디 노트" is written "학습 노트" (GLOSSARY.ko.md)']);
    expect(glossaryProblems('객체에 정제 규칙(refinement)을 겁니다. refine한 숫자.\n', terms)).toEqual([expect.stringContaining('"refine한" is written "정제 규칙"')]);
    expect(glossaryProblems('`refinement` 변수, 코드 안에서는 상관없습니다.\n', terms)).toEqual([]);
  });

  test('the first use of a term in a file carries its English in parentheses', () => {
    expect(glossaryProblems('타입(type)이 있고, 다시 타입이 나옵니다.\n', terms)).toEqual([]);
    expect(glossaryProblems('**타입**(type)도 됩니다.\n', terms)).toEqual([]);
    expect(glossaryProblems('타입이 있고,\n타입(type)은 나중에 나옵니다.\n', terms)).toEqual([
      'line 1: "타입" is the first use of "타입" here, without its English in parentheses: write "타입(type)"',
    ]);
    expect(glossaryProblems('오류 정제 규칙(refinement, `.refine`)을 겁니다.\n', terms), 'more after the English is fine').toEqual([]);
  });

  test('the gloss goes on a noun: a verb, a heading, code, a link text and a longer term do not count as the first use', () => {
    const text = [
      '# 타입 이야기',
      '',
      '`타입`을 검증합니다. [타입 목록](types.md)을 보십시오. 유니언 타입(union type)과 프로토타입.',
      '이제 검증(validation)과 타입(type).',
    ].join('\n');
    expect(glossaryProblems(text, terms)).toEqual([]);
  });

  test('a term of several words is found across a line break, and with a gloss after its first word', () => {
    expect(glossaryProblems('테스트\n스위트(test suite)가 있습니다.\n', terms)).toEqual([]);
    expect(glossaryProblems('테스트\n스위트가 있습니다.\n', terms)).toEqual([expect.stringContaining('line 1: "테스트 스위트" is the first use')]);
    expect(glossaryProblems('빠짐없는(exhaustive) `switch`를 씁니다.\n', terms)).toEqual([]);
  });

  test('a heading that names a glossary idea in English names it in Korean, or keeps the identifier', () => {
    const en = '# Routers\n\n## Pitfalls that bite\n\n## The Open Inference Protocol\n\n## parse or safeParse\n';
    expect(headingProblems(en, '# 라우터\n\n## 특히 주의할 점\n\n## Open Inference Protocol\n\n## parse와 safeParse\n', terms)).toEqual([]);
    expect(headingProblems(en, '# Routers\n\n## 함정\n\n## Open Inference Protocol\n\n## parse와 safeParse\n', terms)).toEqual([
      expect.stringContaining('heading "함정" is the twin of "Pitfalls that bite", which names Pitfalls: write "주의할 점"'),
    ]);
  });

  test('its column of first lessons is true, and every term it lists is used', () => {
    const lessons = [
      { number: '01', prose: proseOf('타입(type), 검증(validation), 정제 규칙(refinement), 테스트 스위트(test suite), 학습 노트.') },
      { number: '02', prose: proseOf('유니언 타입(union type), 빠짐없는(exhaustive) `switch`, Open Inference Protocol, 정제 규칙, 라우터(router), 타입.') },
    ];
    expect(glossaryColumnProblems(terms, lessons, [])).toEqual(['GLOSSARY.ko.md: "추론" is used in no Korean file: remove it, or use it']);
    const moved = [{ number: '01', prose: lessons[0]!.prose.replace('정제 규칙(refinement), ', '') }, { number: '02', prose: `${lessons[1]!.prose} 추론(inference), 정제 규칙(refinement)` }];
    expect(glossaryColumnProblems(terms, moved, [])).toEqual(['GLOSSARY.ko.md: "정제 규칙" first appears in lesson 02, not 01']);
    const dropped = [lessons[0]!, { number: '02', prose: `${lessons[1]!.prose.replace('정제 규칙, ', '')} 추론(inference)` }];
    expect(glossaryColumnProblems(terms, dropped, [])).toEqual(['GLOSSARY.ko.md: "정제 규칙" is not used in lesson 02, which the glossary names']);
  });
});

describe('the guard over a workbook', () => {
  const glossary = '# 용어집\n\n| 용어 | English | 처음 나오는 레슨 | 쓰지 않는 표기 | 메모 |\n|---|---|---|---|---|\n| 본문 | body | [01](lessons/01-first/README.ko.md) | 몸통 | |\n';

  function twins(root: string) {
    fs.writeFileSync(path.join(root, 'README.md'), english);
    fs.writeFileSync(path.join(root, 'README.ko.md'), korean);
    for (const id of ['01-first', '02-second']) {
      const dir = path.join(root, 'lessons', id);
      fs.writeFileSync(path.join(dir, 'README.ko.md'), fs.readFileSync(path.join(dir, 'README.md'), 'utf8').replace('Text.', '본문(body).'));
      fs.writeFileSync(path.join(dir, 'hints.ko.md'), fs.readFileSync(path.join(dir, 'hints.md'), 'utf8'));
    }
    fs.writeFileSync(path.join(root, 'GLOSSARY.ko.md'), glossary);
  }

  test('a missing twin and an out-of-step one fail by name', () => {
    const root = workbook();
    twins(root);
    expect(koreanEditionProblems(root)).toEqual([]);
    fs.rmSync(path.join(root, 'lessons', '02-second', 'hints.ko.md'));
    fs.writeFileSync(path.join(root, 'README.ko.md'), korean.replace('const a = 1;', 'const a = 2;'));
    expect(koreanEditionProblems(root)).toEqual([
      expect.stringMatching(/^README\.ko\.md: code block 1/),
      expect.stringMatching(/^lessons\/02-second\/hints\.ko\.md is missing/),
    ]);
  });

  test('placeholders, glossary spellings and a missing glossary are named with the file', () => {
    const root = workbook();
    twins(root);
    const readme = path.join(root, 'lessons', '01-first', 'README.ko.md');
    fs.writeFileSync(readme, `${fs.readFileSync(readme, 'utf8')}\n몸통에는 \`<your words>\`를 씁니다.\n`);
    expect(koreanEditionProblems(root)).toEqual([
      'lessons/01-first/README.ko.md: line 5: <your words> is an English placeholder in Korean prose: write what it stands for in Korean',
      'lessons/01-first/README.ko.md: line 5: "몸통" is written "본문" (GLOSSARY.ko.md)',
    ]);
    fs.rmSync(path.join(root, 'GLOSSARY.ko.md'));
    expect(koreanEditionProblems(root)).toContain('GLOSSARY.ko.md is missing: it lists the Korean terms the twins use');
  });
});
