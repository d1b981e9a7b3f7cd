import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { listLessons, type Lesson } from '../lessons.ts';
import type { LessonReport } from '../outcome.ts';
import { cleanUpAfterKilledRuns } from '../state.ts';
import { lookUp, recordStartVerdicts, remember, staleStartVerdicts, VerdictKeys } from '../verdicts.ts';
import { useWorkbook } from './fixture.ts';

const workbook = useWorkbook();

function report(lesson: Lesson, message: string): LessonReport {
  return { lesson, tests: [{ file: `tests/${lesson.id}.test.ts`, name: 'adds', state: 'failed', message }], errors: [], typeErrors: [] };
}

describe('remembered verdicts', () => {
  test('a lesson\'s key changes with its exercise, its suites, the shared test support and the runner, and only then', () => {
    const root = workbook();
    const [first, second] = listLessons(root);
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write('tests/01-first.test.ts', 'suite');
    write('tests/support/http.ts', 'helper');
    write('workbook/guide.ts', 'runner');
    const key = () => new VerdictKeys(root).of(first!);
    const start = key();
    expect(key(), 'the same files give the same key').toBe(start);
    fs.appendFileSync(second!.exercise, '// another lesson\n');
    expect(key(), 'another lesson\'s exercise does not matter').toBe(start);
    const changes: Array<[string, () => void]> = [
      ['the exercise', () => fs.appendFileSync(first!.exercise, '// saved\n')],
      ['its suite', () => write('tests/01-first.test.ts', 'suite, changed')],
      ['a type-test suite added', () => write('tests/01-first.test-d.ts', 'types')],
      ['shared test support', () => write('tests/support/http.ts', 'helper, changed')],
      ['the runner', () => write('workbook/guide.ts', 'runner, changed')],
    ];
    const seen = new Set([start]);
    for (const [what, change] of changes) {
      change();
      expect(seen.has(key()), `a change to ${what} gives a new key`).toBe(false);
      seen.add(key());
    }
    fs.rmSync(first!.exercise);
    expect(seen.has(key()), 'a deleted exercise gives a new key').toBe(false);
  });

  test('a verdict is found again under its key only, and reads the same in any copy', () => {
    const root = workbook();
    const [first] = listLessons(root);
    const keys = new VerdictKeys(root);
    remember([report(first!, `failed in ${path.join(root, 'lessons', '01-first', 'exercise.ts')}`)], new Map([[first!.id, keys.of(first!)]]), root);
    expect(lookUp(first!, keys.of(first!), root)?.tests[0]?.message).toBe('failed in lessons/01-first/exercise.ts');
    expect(lookUp(first!, 'another key', root)).toBeUndefined();
  });

  test('the recorded start verdicts answer for untouched exercises; this copy\'s own runs come first', () => {
    const root = workbook();
    const lessons = listLessons(root);
    const keys = new VerdictKeys(root);
    recordStartVerdicts(lessons.map((lesson) => report(lesson, 'from the start')), keys, root);
    expect(lookUp(lessons[0]!, keys.of(lessons[0]!), root)?.tests[0]?.message).toBe('from the start');
    remember([report(lessons[0]!, 'from a run')], new Map([[lessons[0]!.id, keys.of(lessons[0]!)]]), root);
    expect(lookUp(lessons[0]!, keys.of(lessons[0]!), root)?.tests[0]?.message).toBe('from a run');
    expect(staleStartVerdicts(lessons, keys, root)).toEqual([]);
    fs.appendFileSync(lessons[1]!.exercise, '// edited stub\n');
    expect(staleStartVerdicts(lessons, new VerdictKeys(root), root).map((lesson) => lesson.id)).toEqual(['02-second']);
  });

  test('a damaged verdicts file means "run again", not a crash', () => {
    const root = workbook();
    const [first] = listLessons(root);
    fs.mkdirSync(path.join(root, '.workbook'), { recursive: true });
    fs.writeFileSync(path.join(root, '.workbook', 'verdicts.json'), '{ not json');
    expect(lookUp(first!, new VerdictKeys(root).of(first!), root)).toBeUndefined();
  });
});

describe('.workbook/ after a killed run', () => {
  test('files named after a process that is gone are removed; others stay', () => {
    const root = workbook();
    const dir = path.join(root, '.workbook');
    fs.mkdirSync(dir, { recursive: true });
    const gone = 2 ** 22 + 12_345; // above Linux's largest pid, so never a running process
    const names = [`verdicts.json.${gone}.tmp`, `tsconfig.exercises-${gone}-1.json`, `state.json.${process.pid}.tmp`, 'state.json'];
    for (const name of names) fs.writeFileSync(path.join(dir, name), '{}');
    cleanUpAfterKilledRuns(root);
    expect(fs.readdirSync(dir).sort()).toEqual([`state.json.${process.pid}.tmp`, 'state.json'].sort());
  });
});
