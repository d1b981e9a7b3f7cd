import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyKey, lessonAfterPass, splitKeys } from '../keys.ts';
import type { Lesson } from '../lessons.ts';
import { ROOT } from '../target.ts';
import type { LessonReport, TestOutcome } from '../outcome.ts';
import { formatProgress } from '../progress.ts';
import { describeReport } from '../report.ts';
import { renderScreen, type GuideView } from '../screen.ts';
import { languageFrom, say, typedInKorean, useLanguage } from '../messages.ts';
import { cleanMessage, visibleLength, wrapForTerminal, wrapLine } from '../format.ts';
import { formatHint, type ShownHint } from '../hints.ts';
import { currentTodo, groupByTodo, inTodoOrder, shortName, todoAtHand, todoNumber } from '../todos.ts';

function lesson(number: string, title = `Lesson number ${number}`): Lesson {
  const id = `${number}-demo`;
  // Inside the workbook, as in a clone, so the paths shown are the same wherever the clone lives.
  return { number, id, title, dir: `${ROOT}/lessons/${id}`, readme: `${ROOT}/lessons/${id}/README.md`, exercise: `${ROOT}/lessons/${id}/exercise.ts`, solution: `${ROOT}/solutions/${id}/exercise.ts`, hints: `${ROOT}/lessons/${id}/hints.md`, example: `${ROOT}/lessons/${id}/example.ts` };
}

const failing = (name: string, message = 'expected 1 to be 2 // Object.is equality'): TestOutcome => ({ file: 'tests/01-demo.test.ts', name, state: 'failed', message });
const passing = (name: string): TestOutcome => ({ file: 'tests/01-demo.test.ts', name, state: 'passed' });

function view(reports: Record<string, TestOutcome[]> = {}, extra: Partial<GuideView> = {}): GuideView {
  const lessons = ['01', '02', '03'].map((number) => lesson(number));
  const map = new Map<string, LessonReport>();
  for (const item of lessons) {
    const tests = reports[item.number];
    if (tests) map.set(item.id, { lesson: item, tests, errors: [], typeErrors: [] });
  }
  return { lessons, reports: map, stale: new Set(), rechecked: [], untouched: new Set(), current: lessons[0], ...extra };
}

const plain = (rows: string[]) => rows.map((row) => row.replace(/\x1b\[[0-9;]*m/g, '').replaceAll('\u00a0', ' '));

describe('TODO groups', () => {
  const tests = [passing('TODO 1: the schema > accepts'), failing('TODO 2: parseItem > throws'), failing('TODO 3: validateItem > reports'), failing('TODO 2: parseItem > returns'), failing('a test outside')];

  test('groups tests by their top-level "TODO N:" block, in TODO order, the rest last', () => {
    expect(groupByTodo(tests).map((group) => [group.todo, group.label, group.tests.length, group.failing])).toEqual([
      [1, 'the schema', 1, 0],
      [2, 'parseItem', 2, 2],
      [3, 'validateItem', 1, 1],
      [undefined, '', 1, 1],
    ]);
  });

  test('the current TODO is the first with a failing test; names lose their TODO prefix', () => {
    const ran = (tests: TestOutcome[], errors: string[] = []) => ({ tests, errors, typeErrors: [] });
    expect(currentTodo(ran(tests))).toBe(2);
    expect(currentTodo(ran([passing('TODO 1: a > b')]))).toBeUndefined();
    const broken: TestOutcome[] = [{ ...passing('TODO 1: a > stuck'), state: 'skipped' }, failing('TODO 2: b > types')];
    expect(currentTodo(ran(broken)), 'a run that went through').toBe(2);
    expect(currentTodo(ran(broken, ['stopped'])), 'a run that broke off: the test that never ran counts').toBe(1);
    const fromThree = (tests: TestOutcome[]) => ({ ...ran(tests, ['stopped']), order: { from: 3 } as const });
    const skipped = (name: string): TestOutcome => ({ ...passing(name), state: 'skipped' });
    expect(currentTodo(fromThree([skipped('TODO 1: a > never ran'), passing('TODO 3: c > ran'), skipped('TODO 3: c > stuck'), skipped('TODO 4: d > after')])), 'broke off in TODO 3, run first: TODO 1 never ran, not the TODO at hand').toBe(3);
    expect(currentTodo(fromThree([failing('TODO 1: a > ran last'), passing('TODO 3: c > ran'), skipped('TODO 4: d > stuck')])), 'a failing TODO before the one it broke off in').toBe(1);
    expect(shortName(tests[1]!)).toBe('parseItem > throws'.replace('parseItem > ', ''));
    expect(shortName(failing('TODO 4: everything'))).toBe('everything');
    expect(shortName(failing('plain > name'))).toBe('plain > name');
  });
});

describe('a verdict before the run ends', () => {
  test('the TODO at hand is the first failing TODO once its own tests have finished', () => {
    const done = [passing('TODO 1: a > one'), failing('TODO 2: b > two')];
    expect(todoAtHand(done, ['TODO 3: c > three', 'outside any TODO'])).toBe(2);
    expect(todoAtHand(done, ['TODO 2: b > another']), 'TODO 2 has a test to come').toBeUndefined();
    expect(todoAtHand(done, ['TODO 1: a > slow']), 'TODO 1 still runs (the caller says so): TODO 2 for now').toBe(2);
    expect(todoAtHand([failing('TODO 3: c > three')], ['TODO 1: a > one', 'TODO 2: b > two']), 'taken first, before TODOs 1–2').toBe(3);
    expect(todoAtHand([passing('TODO 1: a > one')], ['TODO 2: b > two']), 'nothing has failed').toBeUndefined();
  });

  test('the blocks of a suite in the order a run asks for: as written, from a TODO on, last TODO first', () => {
    const blocks = ['TODO 1: a', 'TODO 2: b', 'outside', 'TODO 3: c', 'TODO 4: d'].map((name) => ({ name }));
    const names = (order: Parameters<typeof inTodoOrder>[1]) => inTodoOrder(blocks, order, todoNumber).map((block) => block.name);
    expect(names('written')).toEqual(['TODO 1: a', 'TODO 2: b', 'outside', 'TODO 3: c', 'TODO 4: d']);
    expect(names({ from: 3 }), 'the TODO at hand and those after it, then those before it').toEqual(['TODO 3: c', 'TODO 4: d', 'TODO 1: a', 'TODO 2: b', 'outside']);
    expect(names({ from: 1 })).toEqual(['TODO 1: a', 'TODO 2: b', 'TODO 3: c', 'TODO 4: d', 'outside']);
    expect(names('reverse')).toEqual(['TODO 4: d', 'TODO 3: c', 'TODO 2: b', 'TODO 1: a', 'outside']);
  });

  test('the guide shows it with the count so far and the TODOs still running, not "Running the tests"', () => {
    const shown = view({ '01': [passing('TODO 1: a > one'), failing('TODO 2: b > two'), failing('TODO 4: d > four')] }, { run: { lesson: '01-demo', startedAt: 0, stillRunning: [3, 4, 5] } });
    const rows = plain(renderScreen(shown, { rows: 24, columns: 80 }, 5_000));
    expect(rows.some((row) => /^✗ 1 of 3 tests pass so far\. TODOs 3–5 still running…/.test(row)), rows.join('\n')).toBe(true);
    expect(rows.some((row) => /TODO 1 ✓ {2}TODO 2 — 1 failing {2}TODO 3 … {2}TODO 4 — 1 failing {2}TODO 5 …/.test(row)), rows.join('\n')).toBe(true);
    expect(rows.some((row) => /✗ two/.test(row)), 'the failure of the TODO at hand').toBe(true);
    expect(rows.some((row) => /Running the tests/.test(row))).toBe(false);
    const elsewhere = plain(renderScreen({ ...shown, run: { ...shown.run!, lesson: '02-demo' } }, { rows: 24, columns: 80 }, 5_000));
    expect(elsewhere.some((row) => /so far|still running|Running the tests/.test(row)), 'a run of another lesson is not shown on this one').toBe(false);
    const text = describeReport(shown.reports.get('01-demo')!, { stillRunning: [] });
    expect(text.status[0], 'only tests outside any TODO to come').toMatch(/so far\. More tests still running…/);
  });
});

describe('a compile error counts against the TODO whose code holds it', () => {
  const error = (todos: number[]) => ({ text: "lessons/01-demo/exercise.ts:9:3 Type 'string' is not assignable to type 'number'.", todos });
  const tests = [passing('TODO 1: a > x'), passing('TODO 2: parse > y'), failing('TODO 3: c > z')];

  test('it joins its TODO; code that TODOs share gives it to the first of them still failing, else the last', () => {
    const placed = (todos: number[]) => groupByTodo(tests, [error(todos)]).flatMap((group) => (group.compileErrors.length > 0 ? [group.todo] : []));
    expect(placed([2])).toEqual([2]);
    expect(placed([2, 3]), 'TODO 3 still fails').toEqual([3]);
    expect(placed([1, 2]), 'both pass: the last').toEqual([2]);
    expect(placed([]), 'outside any TODO\'s code: none').toEqual([]);
    expect(currentTodo({ tests, errors: [], typeErrors: [error([2])] }), 'the TODO to work on, for hints').toBe(2);
  });

  test('the guide and npm test show that TODO as not done, with the error under it', () => {
    const report: LessonReport = { lesson: lesson('01'), tests: tests.slice(0, 2), errors: [], typeErrors: [error([2])] };
    const text = describeReport(report);
    expect(plain(text.status)).toEqual(['✗ All 2 tests pass, but the exercise does not compile yet.', 'TODO 1 ✓  TODO 2 — 1 type error']);
    expect(plain(text.failures.flat())).toEqual([
      'TODO 2: parse',
      '  ✗ TypeScript error at lessons/01-demo/exercise.ts:9:3',
      "      Type 'string' is not assignable to type 'number'.",
    ]);
    expect(text.compile, 'not a second time in a block of its own').toEqual([]);
    const failingToo = describeReport({ ...report, tests, typeErrors: [error([3])] });
    expect(plain(failingToo.status)[1]).toBe('TODO 1 ✓  TODO 2 ✓  TODO 3 — 1 failing, 1 type error');
    const outside = describeReport({ ...report, typeErrors: [error([])] });
    expect(plain(outside.status)[1]).toBe('TODO 1 ✓  TODO 2 ✓');
    expect(plain(outside.compile)[0]).toMatch(/TypeScript finds 1 error\(s\) in .* outside any TODO's code/);
  });

  test('progress names the TODOs whose code does not compile', () => {
    const report: LessonReport = { lesson: lesson('01'), tests: tests.slice(0, 2), errors: [], typeErrors: [error([2])] };
    expect(plain(formatProgress([report]).split('\n'))[2]).toMatch(/✗ 01-demo +2\/2 tests, type errors in TODO 2 +Lesson number 01/);
  });
});

describe('a lesson never started', () => {
  const stub = [failing('TODO 1: a > x'), failing('TODO 2: b > y')];
  const started = view({ '01': stub, '02': stub }, { untouched: new Set(['01-demo']) });

  test('has a neutral mark in the lesson list, and a started, failing one keeps ✗', () => {
    applyKey(started, 'l');
    const rows = plain(renderScreen(started, { rows: 24, columns: 80 }));
    started.list = undefined;
    expect(rows.find((row) => /01 {2}Lesson number 01/.test(row))).toMatch(/^› ○ 01/);
    expect(rows.find((row) => /02 {2}Lesson number 02/.test(row))).toMatch(/^ {2}✗ 02/);
  });

  test('says "not started" on its screen, in the ticks of a recheck and in progress', () => {
    const rows = plain(renderScreen(started, { rows: 24, columns: 80 }));
    expect(rows).toContain('○ 0 of 2 tests pass. Not started yet.');
    const rechecking = view({ '01': stub, '02': stub }, { untouched: new Set(['01-demo']), rechecked: ['01-demo', '02-demo', '03-demo'], stale: new Set(['03-demo']) });
    expect(plain(renderScreen(rechecking, { rows: 24, columns: 80 }))).toContain('Checking your files: 01 ○  02 ✗  03 …');
    const progress = plain(formatProgress([...started.reports.values()], started.untouched).split('\n'));
    expect(progress[2]).toMatch(/^ {2}○ 01-demo +not started +Lesson number 01/);
    expect(progress[3]).toMatch(/^ {2}✗ 02-demo +0\/2 tests +Lesson number 02/);
  });
});

describe('messages', () => {
  test('drop vitest\'s equality tail, keep the sentence and the values', () => {
    expect(cleanMessage(failing('x', 'POST /users → 422: expected 200 to be 422 // Object.is equality'))).toBe('POST /users → 422: expected 200 to be 422');
  });

  test('say in one line what a type test found, not expect-type\'s internals', () => {
    const typeTest = (message: string): TestOutcome => ({ file: 'tests/02-x.test-d.ts', name: 't', state: 'failed', message });
    expect(cleanMessage(typeTest(`Type 'X' does not satisfy the constraint '"Expected: string, Actual: number"'.\n  more`))).toBe('the type is number, expected string');
    expect(cleanMessage(typeTest("Unused '@ts-expect-error' directive."))).toMatch(/must not compile does compile/);
    expect(cleanMessage(typeTest("This expression is not callable. Type 'Inverted<ExpectUnknown<unknown>>' has no call signatures."))).toMatch(/unknown or any/);
  });

  test('wrap at word boundaries, continuation rows indented, no row wider than asked', () => {
    const rows = wrapLine('      parsing {"name":"Pen"} should give the same item back: expected {} to deeply equal the item', 40);
    expect(rows.every((row) => row.length <= 40)).toBe(true);
    expect(rows.every((row) => row.startsWith('      '))).toBe(true);
    expect(rows.join(' ').replace(/ +/g, ' ').trim()).toBe('parsing {"name":"Pen"} should give the same item back: expected {} to deeply equal the item');
    expect(wrapLine('  ✗ a failing test whose name is rather long indeed', 24).slice(1).every((row) => row.startsWith('    '))).toBe(true);
  });
});

describe('the guide\'s screen', () => {
  const many = Array.from({ length: 12 }, (_, index) => failing(`TODO ${1 + (index % 3)}: part ${1 + (index % 3)} > case number ${index} with a name long enough to wrap onto a second row at eighty columns`));
  const longHint = `Hint 1 of 2 for TODO 1\n\n${'A hint that goes on and on. '.repeat(60)}`;
  const typeErrors = Array.from({ length: 8 }, (_, index) => ({ text: `lessons/01-demo/exercise.ts:${index + 1}:1 Type 'string' is not assignable to type 'number'.`, todos: [] }));

  test('at 80x24 keeps the header, the verdict and the first failing test, and fits', () => {
    const shown = view({ '01': many }, { notice: { lesson: '01-demo', text: longHint, hint: true } });
    shown.reports.get('01-demo')!.typeErrors = typeErrors;
    const rows = plain(renderScreen(shown, { rows: 24, columns: 80 }));
    expect(rows.length).toBeLessThanOrEqual(24);
    expect(rows.every((row) => visibleLength(row) <= 80), 'no row wraps').toBe(true);
    expect(rows[0]).toMatch(/the guide/);
    expect(rows[1]).toMatch(/0\/3 lessons/);
    expect(rows.some((row) => /Lesson 01 — /.test(row))).toBe(true);
    expect(rows.some((row) => /0 of 12 tests pass/.test(row))).toBe(true);
    expect(rows.some((row) => /TODO 1 — 4 failing {2}TODO 2 — 4 failing {2}TODO 3 — 4 failing/.test(row))).toBe(true);
    expect(rows.some((row) => /✗ case number 0 with/.test(row)), 'the first failing test').toBe(true);
    expect(rows.at(-1)).toBe(say.keysLine);
    expect(rows.some((row) => /^… /.test(row)), 'what was cut says so').toBe(true);
  });

  test('with a hint open at 80x24, the hint keeps most of the room; the count of failures left out is right', () => {
    const hint = ['Hint 1 of 2 for TODO 1', '', ...Array.from({ length: 12 }, (_, index) => `hint line ${index}`)].join('\n');
    const long = many.map((test) => ({ ...test, message: `a message that is one long line ${'and goes on '.repeat(30)}` }));
    const rows = plain(renderScreen(view({ '01': long }, { notice: { lesson: '01-demo', text: hint } }), { rows: 24, columns: 80 }));
    expect(rows.length).toBeLessThanOrEqual(24);
    expect(rows.filter((row) => /^hint line/.test(row)).length, 'hint lines on screen').toBeGreaterThanOrEqual(6);
    expect(rows.some((row) => /✗ case number 0/.test(row)), 'the first failing test').toBe(true);
    expect(rows.some((row) => /a message that is one long line/.test(row)), 'and the start of its message').toBe(true);

    const plainRows = plain(renderScreen(view({ '01': many }), { rows: 24, columns: 80 }));
    const shown = plainRows.filter((row) => /^ {2}✗ /.test(row)).length;
    const more = plainRows.find((row) => /more failing test/.test(row));
    expect(more, 'a line says how many are left out').toBeDefined();
    expect(Number(more!.match(/… (\d+) more/)![1])).toBe(12 - shown);
  });

  test('a hint cut to fit keeps its last line, which says how to get the next one', () => {
    const hint = ['Hint 1 of 2 for TODO 1', '', ...Array.from({ length: 30 }, (_, index) => `hint line ${index}`), '', '(press h for the next one; all of them are in hints.md)'].join('\n');
    const rows = plain(renderScreen(view({ '01': many }, { notice: { lesson: '01-demo', text: hint, hint: true } }), { rows: 24, columns: 80 }));
    expect(rows.length).toBeLessThanOrEqual(24);
    expect(rows.some((row) => row === '(press h for the next one; all of them are in hints.md)'), rows.join('\n')).toBe(true);
    expect(rows.some((row) => row.startsWith('… (cut to fit; all of it is in ') && row.endsWith('lessons/01-demo/hints.md)')), 'where the hint was cut, and where all of it is').toBe(true);
    const short = plain(renderScreen(view({ '01': many }, { notice: { lesson: '01-demo', text: 'Hint 1 of 2\n\nshort\n\n(press h for the next one)', hint: true } }), { rows: 24, columns: 80 }));
    expect(short.some((row) => row.startsWith('… (cut to fit')), 'a hint that fits is not marked as cut').toBe(false);
  });

  test('shows the first unfinished TODO\'s failures first', () => {
    const rows = plain(renderScreen(view({ '01': [passing('TODO 1: a > x'), failing('TODO 3: c > later'), failing('TODO 2: b > sooner')] }), { rows: 40, columns: 100 }));
    const first = rows.findIndex((row) => /sooner/.test(row));
    expect(first).toBeGreaterThan(-1);
    expect(first).toBeLessThan(rows.findIndex((row) => /later/.test(row)));
    expect(rows[first - 1]).toMatch(/^TODO 2: b/);
  });

  test('a hint or a pass banner shows only on the screen of its own lesson', () => {
    const shown = view({ '01': [failing('x')], '02': [failing('y')] }, { notice: { lesson: '01-demo', text: 'THE NOTICE' } });
    expect(plain(renderScreen(shown, { rows: 40, columns: 80 })).join('\n')).toContain('THE NOTICE');
    shown.current = shown.lessons[1];
    expect(plain(renderScreen(shown, { rows: 40, columns: 80 })).join('\n')).not.toContain('THE NOTICE');
  });

  test('the keys lines fit 80 columns, in both languages', () => {
    for (const language of ['en', 'ko'] as const) {
      useLanguage(language);
      expect(visibleLength(say.keysLine), `${language}: ${say.keysLine}`).toBeLessThanOrEqual(80);
      expect(visibleLength(say.listKeysLine), `${language}: ${say.listKeysLine}`).toBeLessThanOrEqual(80);
    }
    useLanguage('en');
  });
});

describe('keys', () => {
  test('n and p move one lesson; at either end they say so instead of wrapping', () => {
    const shown = view();
    expect(applyKey(shown, 'n')).toEqual({ kind: 'go', lesson: shown.lessons[1] });
    expect(applyKey(shown, 'p')).toEqual({ kind: 'show' });
    expect(shown.notice?.text).toMatch(/first lesson/);
    shown.current = shown.lessons[2];
    expect(applyKey(shown, 'n')).toEqual({ kind: 'show' });
    expect(shown.notice?.text).toMatch(/last one/);
    expect(applyKey(shown, 'p')).toEqual({ kind: 'go', lesson: shown.lessons[1] });
  });

  test('l opens a list to choose from with arrows or a number, Enter goes there, Esc closes', () => {
    const shown = view();
    applyKey(shown, 'l');
    expect(shown.list).toEqual({ selected: 0 });
    expect(plain(renderScreen(shown, { rows: 24, columns: 80 })).join('\n')).toMatch(/› . 01 {2}Lesson number 01/);
    applyKey(shown, '\x1b[B');
    applyKey(shown, '\x1b[B');
    applyKey(shown, '\x1b[B');
    expect(shown.list).toEqual({ selected: 2 });
    applyKey(shown, '2');
    expect(applyKey(shown, '\r')).toEqual({ kind: 'go', lesson: shown.lessons[1] });
    expect(shown.list).toBeUndefined();
    applyKey(shown, 'l');
    applyKey(shown, '\x1b');
    expect(shown.list).toBeUndefined();
  });

  test('keys that arrive together are taken one by one, arrows whole', () => {
    expect(splitKeys('\x1b[B\x1b[B\r')).toEqual(['\x1b[B', '\x1b[B', '\r']);
    expect(splitKeys('nq')).toEqual(['n', 'q']);
    expect(splitKeys('\x1b')).toEqual(['\x1b']);
  });

  test('a digit goes to that lesson; a digit no lesson has shows the keys', () => {
    const shown = view();
    expect(applyKey(shown, '3')).toEqual({ kind: 'go', lesson: shown.lessons[2] });
    expect(applyKey(shown, '9')).toEqual({ kind: 'show' });
    expect(shown.notice?.text).toContain(say.keysLine);
  });

  test('the list shows its own keys at the bottom', () => {
    const shown = view();
    applyKey(shown, 'l');
    expect(plain(renderScreen(shown, { rows: 24, columns: 80 })).at(-1)).toMatch(/Enter to open · Esc to go back/);
  });

  test('an unknown key shows the keys; q and Ctrl-C quit, even from the list', () => {
    const shown = view();
    expect(applyKey(shown, 'x')).toEqual({ kind: 'show' });
    expect(shown.notice?.text).toContain(say.keysLine);
    expect(shown.notice?.transient, 'gone with the next save').toBe(true);
    expect(applyKey(shown, 'q')).toEqual({ kind: 'quit' });
    applyKey(shown, 'l');
    expect(applyKey(shown, '\u0003')).toEqual({ kind: 'quit' });
  });

  test('after a pass the guide goes to the lesson after it, not back to the first unfinished', () => {
    const shown = view({ '01': [failing('x')], '02': [passing('y')], '03': [failing('z')] });
    expect(lessonAfterPass(shown, shown.lessons[1]!)).toBe(shown.lessons[2]);
    expect(lessonAfterPass(shown, shown.lessons[2]!), 'after the last: the first unfinished').toBe(shown.lessons[0]);
  });
});

describe('in Korean', () => {
  beforeAll(() => useLanguage('ko'));
  afterAll(() => useLanguage('en'));

  test('what is printed straight to the terminal wraps at spaces, never inside a Korean word', () => {
    const rows = wrapForTerminal(say.bye, 80).split('\n');
    expect(rows.length, rows.join('\n')).toBeGreaterThan(1);
    expect(rows.every((row) => visibleLength(row) <= 80)).toBe(true);
    expect(rows.join(' '), 'each break stands where a space was').toBe(say.bye);
  });

  test('progress puts each command on a line of its own, whole at 80 columns, its lesson titles given room', () => {
    const report: LessonReport = { lesson: { ...lesson('04'), id: '04-request-response', title: '요청과 응답: 한 호출의 양 끝' }, tests: [failing('TODO 1: a > x')], errors: [], typeErrors: [{ text: 'x', todos: [1] }, { text: 'y', todos: [2] }] };
    const lines = plain(formatProgress([report]).split('\n'));
    const row = lines.find((line) => line.includes('04-request-response'))!;
    expect(row).toMatch(/04-request-response +테스트 0\/1, 타입 오류 TODO 1,2 +요청과 응답: 한 호출의 양 끝$/);
    for (const command of [say.command('npm test -- 04'), say.command('npm run progress -- --fresh')]) {
      expect(lines.some((line) => line.startsWith(`  ${command}`)), `${command} in:\n${lines.join('\n')}`).toBe(true);
    }
    expect(lines.join('\n')).not.toMatch(/-- 0\d`?를/);
  });

  test('a command is shown as the learner should type it, the same way everywhere', () => {
    const command = say.command('npm test -- 04');
    expect(command.endsWith('npm test -- 04')).toBe(true);
    for (const message of [say.bye, say.printedOnce, say.debugInAnotherTerminal('04'), say.debugOthers('04'), say.rememberedResults, say.moreFailing(3, 1, 0, command)]) {
      expect(message).toContain(command.replace('npm test -- 04', 'npm '));
    }
    expect(typedInKorean('npm start', { LANG: 'C.UTF-8' }, 'linux')).toBe('WORKBOOK_LANG=ko npm start');
    expect(typedInKorean('npm start', { LANG: 'ko_KR.UTF-8' }, 'linux'), 'the locale says Korean already').toBe('npm start');
    expect(typedInKorean('npm start', { WORKBOOK_LANG: 'ko' }, 'win32'), 'not shell syntax on Windows').toBe('npm start');
  });

  test('the language comes from WORKBOOK_LANG, else the locale', () => {
    expect(languageFrom({ WORKBOOK_LANG: 'ko' })).toBe('ko');
    expect(languageFrom({ WORKBOOK_LANG: 'en', LANG: 'ko_KR.UTF-8' }), 'WORKBOOK_LANG wins').toBe('en');
    expect(languageFrom({ LANG: 'ko_KR.UTF-8' })).toBe('ko');
    expect(languageFrom({ LC_ALL: 'ko_KR.UTF-8', LANG: 'en_US.UTF-8' }), 'LC_ALL before LANG').toBe('ko');
    expect(languageFrom({ LANG: 'C.UTF-8' })).toBe('en');
    expect(languageFrom({})).toBe('en');
  });

  test('Korean letters count two columns, so a Korean screen at 80x24 still fits', () => {
    expect(visibleLength('레슨 01')).toBe(7);
    expect(wrapLine('가'.repeat(50), 80).map(visibleLength)).toEqual([80, 20]);
    const title = '검증된 모델: pydantic의 BaseModel에서 zod 스키마로 옮겨 가는 첫 번째 레슨';
    const hint = ['힌트 1/2 (TODO 1) — 레슨 01-demo', '', ...Array.from({ length: 8 }, (_, index) => `힌트 문단 ${index}: ${'스키마를 먼저 정의하고 그 스키마에서 타입을 끌어내십시오. '.repeat(3)}`)].join('\n');
    const many = Array.from({ length: 12 }, (_, index) => failing(`TODO ${1 + (index % 3)}: part > case number ${index} with a name long enough to wrap onto a second row at eighty columns`));
    const shown = view({ '01': many });
    shown.lessons[0] = { ...shown.lessons[0]!, title };
    shown.current = shown.lessons[0];
    for (const notice of [undefined, { lesson: '01-demo', text: hint }]) {
      const rows = plain(renderScreen({ ...shown, notice }, { rows: 24, columns: 80 }));
      expect(rows.length).toBeLessThanOrEqual(24);
      expect(rows.filter((row) => visibleLength(row) > 80), 'rows wider than 80 columns').toEqual([]);
      expect(rows[0]).toBe(say.guideTitle);
      expect(rows.some((row) => row.startsWith('레슨 01 — 검증된 모델'))).toBe(true);
      expect(rows.some((row) => /테스트 12개 중 0개 통과/.test(row))).toBe(true);
      expect(rows.some((row) => /✗ case number 0 with/.test(row)), 'the first failing test').toBe(true);
      expect(rows.at(-1)).toBe(say.keysLine);
    }
  });
});

describe('a hint at 80x24 comes before the failures, in both languages', () => {
  // Lesson 04 as a learner first sees it: 82 failing tests in nine TODOs, the first with a long name.
  const counts = [4, 3, 10, 3, 20, 20, 2, 15, 5];
  const tests = counts.flatMap((count, index) =>
    Array.from({ length: count }, (_, k) =>
      failing(
        k === 0 && index === 0 ? 'TODO 1: the body schema, ProcessRequest > parses {a, b} to the two numbers, whatever their sign, and drops keys it does not know' : `TODO ${index + 1}: part > case ${k}`,
        'ProcessRequest.safeParse({"a":5,"b":10}) → expected data {"a":5,"b":10}: expected {} to deeply equal { a: 5, b: 10 }',
      ),
    ),
  );
  const hints = {
    en: [
      'Two number fields make an object schema. The "finite sum" rule needs both fields at once, so it cannot live on `a` or `b`: it belongs on the object, as a refinement. Which function tells a finite number from `Infinity`?',
      "`z.object({ a: z.number(), b: z.number() }).refine((body) => Number.isFinite(body.a + body.b), { message: '...' })`.",
    ],
    ko: [
      '숫자 필드 두 개면 객체 스키마(schema)가 됩니다. "합이 유한해야 한다"는 규칙은 두 필드가 동시에 필요하므로 `a`나 `b`에 둘 수 없고, 객체에 정제 규칙(refinement)으로 붙여야 합니다. 유한한 수와 `Infinity`를 구별해 주는 함수가 무엇인지 떠올려 보십시오.',
      "`z.object({ a: z.number(), b: z.number() }).refine((body) => Number.isFinite(body.a + body.b), { message: '...' })`.",
    ],
  };
  const squash = (text: string) => text.replace(/\s+/g, '');

  for (const language of ['en', 'ko'] as const) {
    test(`${language}: each press of h shows the whole hint, the first failing test's name and the keys`, () => {
      useLanguage(language);
      try {
        const shown = view({ '01': tests });
        shown.lessons[0] = { ...shown.lessons[0]!, title: language === 'ko' ? '요청과 응답: 한 호출의 양 끝' : 'Request and response: both ends of a call' };
        shown.current = shown.lessons[0];
        shown.rechecked = ['01-demo', '02-demo', '03-demo'];
        shown.stale = new Set(['03-demo']);
        const presses: ShownHint[] = [
          { number: 1, total: 2, text: hints[language][0]!, todo: 1, repeated: false },
          { number: 2, total: 2, text: hints[language][1]!, todo: 1, repeated: false },
          { number: 2, total: 2, text: hints[language][1]!, todo: 1, repeated: true },
        ];
        for (const hint of presses) {
          const text = formatHint(shown.lessons[0]!, hint, say.pressH);
          const rows = plain(renderScreen({ ...shown, notice: { lesson: '01-demo', text, hint: true } }, { rows: 24, columns: 80 }));
          const screen = rows.join('\n');
          expect(rows.length, screen).toBeLessThanOrEqual(24);
          expect(rows.filter((row) => visibleLength(row) > 80), 'rows wider than 80 columns').toEqual([]);
          expect(squash(screen), `the whole hint ${hint.number}${hint.repeated ? ' again' : ''}:\n${screen}`).toContain(squash(hint.text));
          expect(screen, 'the hint was not cut').not.toContain(say.hintCut('').slice(0, 8));
          expect(screen).toMatch(/✗ parses \{a, b\} to the two numbers/);
          expect(rows.at(-1)).toBe(say.keysLine);
          if (hint.repeated) expect(screen).toContain(say.hintsAllShown);
        }
      } finally {
        useLanguage('en');
      }
    });

    test(`${language}: a hint too long for the screen says it was cut and where all of it is, above how to get the next one`, () => {
      useLanguage(language);
      try {
        const shown = view({ '01': tests });
        const long: ShownHint = { number: 1, total: 2, text: Array.from({ length: 6 }, () => hints[language][0]).join('\n\n'), todo: 1, repeated: false };
        const text = formatHint(shown.lessons[0]!, long, say.pressH);
        const rows = plain(renderScreen({ ...shown, notice: { lesson: '01-demo', text, hint: true } }, { rows: 24, columns: 80 }));
        expect(rows.length).toBeLessThanOrEqual(24);
        expect(rows.filter((row) => visibleLength(row) > 80), 'rows wider than 80 columns').toEqual([]);
        const cutAt = rows.findIndex((row) => row === plain([say.hintCut('lessons/01-demo/hints.md')])[0]);
        expect(cutAt, rows.join('\n')).toBeGreaterThan(2);
        expect(rows[cutAt + 1], 'then how to get the next hint').toBe(plain([say.nextHintWith(say.pressH, 'lessons/01-demo/hints.md')])[0]);
        expect(rows.some((row) => /✗ parses \{a, b\} to the two numbers/.test(row)), 'the first failing test').toBe(true);
        expect(rows.some((row) => row.startsWith('…') && row.includes(say.command('npm test -- 01'))), 'what else fails, and where').toBe(true);
      } finally {
        useLanguage('en');
      }
    });
  }

  test('the failures left out are counted as tests and type errors, not all as tests', () => {
    const report: LessonReport = { lesson: lesson('01'), tests, errors: [], typeErrors: [{ text: "lessons/01-demo/exercise.ts:40:3 Type 'string' is not assignable to type 'number'.", todos: [1] }] };
    const shown = view();
    shown.reports.set('01-demo', report);
    const rows = plain(renderScreen(shown, { rows: 24, columns: 80 }));
    expect(rows.some((row) => /✗ TypeScript error at lessons\/01-demo\/exercise.ts:40:3/.test(row)), 'the type error, where it is, first in its TODO').toBe(true);
    const onScreen = rows.filter((row) => /^ {2}✗ (?!TypeScript)/.test(row)).length;
    const more = rows.find((row) => /^… \d+ more failing test/.test(row));
    expect(more, rows.join('\n')).toBeDefined();
    expect(Number(more!.match(/… (\d+) more/)![1])).toBe(82 - onScreen);
    expect(more).not.toMatch(/type error/);
  });
});
