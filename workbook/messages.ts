/**
 * Everything the runner itself says, in English and in Korean. The language is chosen once per
 * process: WORKBOOK_LANG (`ko` or `en`) if set, else the first of LC_ALL, LC_MESSAGES and LANG
 * that is set (`ko_KR.UTF-8` and the like mean Korean). Test failure sentences are the suites'
 * own and stay English. `ko` is typed as `Messages`, so a message missing there does not compile.
 */

export type Language = 'en' | 'ko';

export function languageFrom(env: NodeJS.ProcessEnv): Language {
  const chosen = env.WORKBOOK_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return chosen.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/**
 * A command as the learner should type it to get the same language back. In Korean that is with
 * `WORKBOOK_LANG=ko` in front, unless the locale alone already says Korean (then the prefix is
 * noise) or the shell is Windows' (where the prefix is not shell syntax: README.ko.md has the
 * PowerShell and cmd lines that set it once for the session).
 */
export function typedInKorean(command: string, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string {
  const fromLocale = languageFrom({ ...env, WORKBOOK_LANG: undefined }) === 'ko';
  return fromLocale || platform === 'win32' ? command : `WORKBOOK_LANG=ko ${command}`;
}

/** TODO numbers as few words as they take: 4–6 for a run of them, else 2, 5, 7. */
function todoNumbers(todos: number[]): string {
  const contiguous = todos.length > 2 && todos.every((todo, index) => index === 0 || todo === todos[index - 1]! + 1);
  return contiguous ? `${todos[0]}–${todos.at(-1)}` : todos.join(', ');
}

const en = {
  /** A command as the learner should type it (every command the runner shows goes through this). */
  command: (command: string) => command,
  // The guide's screen
  guideTitle: 'FastAPI ways in TypeScript — the guide',
  keysLine: 'h hint · d debug · l lessons · n next · p previous · q quit — save to rerun',
  listKeysLine: '↑/↓ or a number to choose · Enter to open · Esc to go back · q quit',
  lessonsDone: (done: number, total: number) => `${done}/${total} lessons`,
  everyLessonPasses: 'Every lesson passes. Well done!',
  afterTheLast: 'Read any solution in solutions/, or start a lesson again with `npm run reset -- NN`.',
  lessonHeading: (number: string, title: string) => `Lesson ${number} — ${title}`,
  read: 'read',
  edit: 'edit',
  try: 'try ',
  notRunYet: 'Not run yet: save the exercise, or wait for the check.',
  testsRanIn: (seconds: string) => `(tests ran in ${seconds} s)`,
  moreWith: (command: string) => `… more with \`${command}\``,
  hintCut: (file: string) => `… (cut to fit; all of it is in ${file})`,
  /** Failures left off the screen: failing tests, type errors in a TODO's code, errors outside the tests. */
  moreFailing: (tests: number, typeErrors: number, errors: number, command: string) =>
    `… ${[tests > 0 ? `${tests} more failing test(s)` : '', typeErrors > 0 ? `${typeErrors} more type error(s)` : '', errors > 0 ? `${errors} more error(s)` : ''].filter(Boolean).join(', ')} with \`${command}\``,
  runningTests: (seconds: number | undefined, test: string | undefined) =>
    `Running the tests…${seconds === undefined ? '' : ` ${seconds} s`}${test === undefined ? '' : ` — ${test}`}`,
  checkingYourFiles: 'Checking your files: ',
  lessonList: 'Lessons',
  onScreen: '(on screen)',
  savedSolution: (solution: string, exercise: string) => `You saved ${solution}: that is the annotated answer. Your exercise is ${exercise}.`,
  lessonPasses: (number: string) => `✓ Lesson ${number} passes!`,
  bye: 'Bye! `npm start` opens where you left off.',
  printedOnce: '(No terminal here, so the guide printed the status once. Run `npm start` in a terminal to keep it open.)',
  // Keys
  nothingToHint: 'Every lesson passes: there is nothing left to hint at.',
  lastLesson: (number: string) => `Lesson ${number} is the last one. p goes back; l lists every lesson.`,
  firstLesson: 'This is the first lesson. n goes forward; l lists every lesson.',
  keys: (line: string) => `Keys: ${line}.`,
  // A lesson's report (guide and npm test)
  exerciseMissing: (file: string, number: string) => `✗ ${file} is missing: \`npm run reset -- ${number}\` restores it.`,
  couldNotRun: '✗ The tests could not run:',
  keptFromPassing: '✗ This keeps the lesson from passing:',
  compileErrors: (count: number, file: string) => `✗ TypeScript finds ${count} error(s) in ${file} outside any TODO's code`,
  fixThese: ' (fix these too):',
  compileCheckFailed: (why: string) => `tsc could not check the exercise, so it does not count as compiling (${why})`,
  someTestsPass: (ok: number, total: number) => `${ok} of ${total} tests pass.`,
  notStartedYet: 'Not started yet.',
  someRuntimeTestsPass: (ok: number, total: number) => `${ok} of ${total} run-time tests pass.`,
  testsPassSoFar: (ok: number, total: number) => `${ok} of ${total} tests pass so far.`,
  /** Said after a count of the tests so far: the TODOs whose tests are to come (none: tests outside any TODO). */
  stillRunning: (todos: number[]) => (todos.length === 0 ? ' More tests still running…' : ` ${todos.length === 1 ? 'TODO' : 'TODOs'} ${todoNumbers(todos)} still running…`),
  checkingTypes: ' Checking types…',
  passButCompile: (total: number) => `All ${total} tests pass, but the exercise does not compile yet.`,
  runtimePass: (total: number) => `All ${total} run-time tests pass.`,
  allPass: (total: number) => `✓ All ${total} tests pass.`,
  readSolution: (file: string) => `Read the annotated solution: ${file}`,
  todoNotDone: (failing: number, typeErrors: number) =>
    `—\u00a0${[failing > 0 ? `${failing}\u00a0failing` : '', typeErrors > 0 ? `${typeErrors}\u00a0type\u00a0error${typeErrors === 1 ? '' : 's'}` : ''].filter(Boolean).join(',\u00a0')}`,
  compileErrorAt: (location: string) => `TypeScript error at ${location}`,
  typeTest: '(type test)',
  // What a failed type test means, in one line (expect-type's own text is unreadable)
  typeIsNotExpected: (actual: string) => `the type is ${actual}, which is not what this test expects`,
  typeIsNot: (actual: string, expected: string) => `the type is ${actual}, expected ${expected}`,
  typeTooLoose: 'a line that must not compile does compile: the type lets too much through',
  typeUnknown: 'the type is unknown or any: give it its real shape',
  // Runs that go wrong
  stalled: (seconds: number, test: string | undefined) =>
    `The tests were stopped after ${seconds} s without progress${test === undefined ? '' : ` while running "${test}"`}: is there an endless loop in the exercise?`,
  crashed: (test: string | undefined, heapMb: number, cause: string) =>
    `The test process stopped${test === undefined ? '' : ` while running "${test}"`}. It may have run out of its ${heapMb} MB of memory: is there a loop that keeps adding to a list? (${cause})`,
  escapedRejection: (test: string | undefined) =>
    `An error escaped the tests${test === undefined ? '' : ` while "${test}" was running`}: a promise that nothing awaited or caught was rejected (an unhandled rejection).`,
  escapedException: (test: string | undefined) =>
    `An error escaped the tests${test === undefined ? '' : ` while "${test}" was running`}: a callback threw where nothing could catch it (an uncaught exception).`,
  /** `places`: the exercise's lines in the error's stack, innermost first, each with the TODOs whose code it is. */
  escapedFrom: (file: string, places: { line: number; todos: number[] }[]) => {
    const todo = (todos: number[]) => (todos.length === 0 ? '' : ` (TODO ${todos.join(' or ')})`);
    const [thrown, ...callers] = places;
    return `It was thrown at ${file}:${thrown!.line}${todo(thrown!.todos)}${callers.length === 0 ? '' : `, called from ${callers.map((place) => `line ${place.line}${todo(place.todos)}`).join(', ')}`}.`;
  },
  escapedElsewhere: (file: string, todo: number | undefined) =>
    `Its stack does not pass through ${file}: look${todo === undefined ? '' : ` in TODO ${todo}'s code (the running test's)`} for a promise that is neither awaited nor returned, or a callback that throws.`,
  // Hints
  noHints: (id: string, file: string) => `Lesson ${id} has no hints (${file}).`,
  hintHeading: (number: number, total: number, todo: number | undefined, id: string) =>
    `Hint ${number} of ${total}${todo === undefined ? '' : ` for TODO ${todo}`} — lesson ${id}`,
  nextHintWith: (how: string, file: string) => `(${how} for the next one; all of them are in ${file})`,
  lastHint: (todo: number | undefined, solution: string) =>
    `That was the last hint${todo === undefined ? '' : ` for TODO ${todo}`}. When the tests pass, compare with ${solution}.`,
  hintsAllShown: '(every hint has been shown; here is the last one again)',
  pressH: 'press h',
  // progress
  checkingLessons: (which: string | undefined) => `Checking ${which ?? 'every lesson'}:`,
  suiteDidNotLoad: 'suite did not load',
  /** `typeErrorTodos`: undefined when the exercise compiles, else the TODOs whose code has errors (none: they are outside them). */
  testCounts: (ok: number, total: number, typeErrorTodos: number[] | undefined) =>
    `${ok}/${total} tests${typeErrorTodos === undefined ? '' : typeErrorTodos.length === 0 ? ', type errors' : `, type errors in TODO ${typeErrorTodos.join(',')}`}`,
  notStarted: 'not started',
  testsAndErrorOutside: (ok: number, total: number) => `${ok}/${total} tests, an error outside them`,
  nextLesson: (id: string, exercise: string, number: string) => `Next: ${id} — edit ${exercise}, then run:\n  ${en.command(`npm test -- ${number}`)}   (or ${en.command('npm start')})`,
  get rememberedResults() {
    return `(Remembered results are reused. To run every lesson again:\n  ${en.command('npm run progress -- --fresh')})`;
  },
  // reset
  startNotRecorded: (id: string) => `The starting version of ${id} is not recorded in workbook/starts.json, so it cannot be restored. Your file was left as it is.`,
  restoredMissing: (file: string) => `${file} was missing; it is back at its start (hints start over too).`,
  alreadyAtStart: (file: string) => `${file} is already at its start; nothing was changed.`,
  resetDone: (backup: string, file: string) => `Your work is saved in ${backup}\n${file} is back at its start (hints start over too).\nTo undo: cp ${backup} ${file}`,
  // npm test
  runningTestsOf: (lessons: string[], target: string) =>
    `Running the tests of ${lessons.length === 1 ? `lesson ${lessons[0]}` : `${lessons.length} lessons`} (${target})…`,
  failuresOrder: "(the first unfinished TODO's failures are listed first, above)",
  errorsAbove: '(what went wrong is above)',
  lessonsPass: (passing: number, total: number, seconds: string) => `${passing} of ${total} lesson(s) pass (${seconds} s).`,
  // The command line
  usingCurrentLesson: (number: string) => `(lesson ${number}, the one you were on; name another as \`-- NN\`)`,
  unknownCommand: (command: string) => `Unknown command "${command}". Commands: guide, test, example, hint, debug, progress, reset, check.`,
  needsLesson: 'This command needs a lesson.',
  noSuchLesson: (name: string) => `There is no lesson "${name}".`,
  nameALesson: (example: string) => `Name one by number or folder, e.g. \`1\`, \`01\` or \`${example}\`:`,
  noExample: (id: string, file: string) => `Lesson ${id} has no example (${file}).`,
  // npm run debug
  debugUsage: 'Usage: npm run debug -- [NN] [-t "words of a test\'s name" | --all]',
  debugNeedsWords: '-t needs words of a test\'s name, e.g. -t "returns 404".',
  debugUnknownOption: (option: string) => `Unknown option "${option}".`,
  debugOneLesson: 'Name one lesson at a time.',
  debugAllOrWords: 'Either -t or --all, not both.',
  debugRunningFirst: (number: string) => `Running lesson ${number}'s tests first, to find the failing one (no results yet for your file as it is)…`,
  debugFirstFailing: (todo: number | undefined, current: boolean) =>
    `Debugging one test, the first failing one${todo === undefined ? '' : ` of TODO ${todo}${current ? ', the one you are on' : ''}`}:`,
  debugMatching: (words: string) => `Debugging the tests whose name contains "${words}".`,
  debugNoMatch: (number: string, words: string) => `No run-time test of lesson ${number} has "${words}" in its name.`,
  debugOnlyTypeTestsFail: 'Only type tests fail, and tsc checks those without running them.',
  debugNothingFails: 'No run-time test fails.',
  debugWholeSuite: 'Debugging the whole suite.',
  debugOthers: (number: string) => `(Another test: \`npm run debug -- ${number} -t "words of its name"\`; all of them: \`npm run debug -- ${number} --all\`.)`,
  debugUnderDebugger: 'A debugger is attached to this command already (VS Code, say): it follows the test process by itself.',
  debugWaiting: (url: string) => `The test process waits for a debugger at ${url}.`,
  debugChrome: 'Chrome or Edge: open chrome://inspect; under Remote Target, click "inspect" below …/vitest/dist/workers/forks.js,',
  debugChromePort: (port: number) => `(port ${port} is not on its list at first: add 127.0.0.1:${port} with "Configure…")`,
  debugDevtoolsUrl: 'or paste this into its address bar:',
  debugVsCode: (port: number, usual: number) =>
    `VS Code: Run and Debug, "Attach to npm run debug"${port === usual ? '' : ` (after setting its "port" to ${port} in .vscode/launch.json)`}.`,
  debugThen: (pauseFile: string, exercise: string) =>
    `Once attached, it stops in ${pauseFile}, before the test. Open ${exercise} (DevTools: Ctrl+P, exercise.ts), click a line number in your code to set a breakpoint, and resume (F8 in DevTools, F5 in VS Code).`,
  debugStop: 'When the test ends, the debugger is disconnected and the result is printed here. Ctrl-C stops everything at any time.',
  debugStopped: 'Stopped.',
  debugNoTestRan: 'No test ran.',
  debugNoSuite: (id: string) => `Lesson ${id} has no run-time tests to debug (tests/${id}.test.ts).`,
  debugNoFreePort: (first: number, last: number) => `Ports ${first} to ${last} are all taken on 127.0.0.1: check whether another debugging session is still open.`,
  debugInAnotherTerminal: (number: string) =>
    `To step through a test in a debugger, run this in another terminal:\n  npm run debug -- ${number}\nIt runs the first failing test (add -t "words of its name" for another) and waits for Chrome's DevTools or VS Code; meanwhile this screen keeps rerunning on every save.`,
  nothingToDebug: 'Every lesson passes: there is no failing test to debug.',
};

export type Messages = typeof en;

const run = (command: string) => typedInKorean(command);

const ko: Messages = {
  command: run,
  guideTitle: 'TypeScript로 익히는 FastAPI 방식 — 가이드',
  keysLine: 'h 힌트 · d 디버그 · l 레슨 목록 · n 다음 · p 이전 · q 종료 — 저장하면 다시 실행',
  listKeysLine: '↑/↓ 또는 번호로 선택 · Enter 열기 · Esc 돌아가기 · q 종료',
  lessonsDone: (done, total) => `레슨 ${done}/${total}`,
  everyLessonPasses: '모든 레슨을 통과했습니다. 수고하셨습니다!',
  get afterTheLast() {
    return `해답은 solutions/에서 읽을 수 있고, \`${run('npm run reset -- NN')}\`으로 레슨을 처음부터 다시 할 수 있습니다.`;
  },
  lessonHeading: (number, title) => `레슨 ${number} — ${title}`,
  read: '읽기',
  edit: '편집',
  try: '실행',
  notRunYet: '아직 실행 전입니다. 연습 문제 파일을 저장하거나 검사가 끝나기를 기다리십시오.',
  testsRanIn: (seconds) => `(테스트 실행 ${seconds}초)`,
  moreWith: (command) => `… 나머지는 \`${command}\``,
  hintCut: (file) => `… (화면에 맞춰 잘랐습니다. 전체: ${file})`,
  moreFailing: (tests, typeErrors, errors, command) =>
    `… 이 밖에 ${[tests > 0 ? `실패한 테스트 ${tests}개` : '', typeErrors > 0 ? `타입 오류 ${typeErrors}개` : '', errors > 0 ? `오류 ${errors}개` : ''].filter(Boolean).join(', ')}: \`${command}\``,
  runningTests: (seconds, test) => `테스트 실행 중…${seconds === undefined ? '' : ` ${seconds}초`}${test === undefined ? '' : ` — ${test}`}`,
  checkingYourFiles: '파일 검사 중: ',
  lessonList: '레슨 목록',
  onScreen: '(현재)',
  savedSolution: (solution, exercise) => `${solution} 파일을 저장했습니다. 이 파일은 주석이 달린 해답이고, 여러분의 연습 문제는 ${exercise} 파일입니다.`,
  lessonPasses: (number) => `✓ 레슨 ${number} 통과!`,
  get bye() {
    return `가이드를 닫았습니다. \`${run('npm start')}\`로 다시 열면 하던 곳에서 이어집니다.`;
  },
  get printedOnce() {
    return `(터미널이 아니어서 가이드가 상태를 한 번만 출력했습니다. 계속 열어 두려면 터미널에서 \`${run('npm start')}\`를 실행하십시오.)`;
  },
  nothingToHint: '모든 레슨을 통과했습니다. 더 보여 줄 힌트가 없습니다.',
  lastLesson: (number) => `마지막 레슨(${number})입니다. p는 이전 레슨, l은 레슨 목록입니다.`,
  firstLesson: '첫 번째 레슨입니다. n은 다음 레슨, l은 레슨 목록입니다.',
  keys: (line) => `키: ${line}`,
  exerciseMissing: (file, number) => `✗ ${file} 파일이 없습니다. \`${run(`npm run reset -- ${number}`)}\` 명령으로 되살릴 수 있습니다.`,
  couldNotRun: '✗ 테스트를 실행하지 못했습니다:',
  keptFromPassing: '✗ 다음 문제 때문에 레슨을 통과하지 못합니다:',
  compileErrors: (count, file) => `✗ TypeScript가 ${file}에서 어느 TODO의 코드에도 속하지 않는 오류 ${count}개를 찾았습니다`,
  fixThese: ' (이 오류를 고쳐야 통과합니다):',
  compileCheckFailed: (why) => `tsc가 연습 문제 코드를 검사하지 못했으므로, 컴파일되는 것으로 치지 않습니다 (${why})`,
  someTestsPass: (ok, total) => `테스트 ${total}개 중 ${ok}개 통과.`,
  notStartedYet: '아직 시작하지 않았습니다.',
  someRuntimeTestsPass: (ok, total) => `런타임 테스트 ${total}개 중 ${ok}개 통과.`,
  testsPassSoFar: (ok, total) => `지금까지 테스트 ${total}개 중 ${ok}개 통과.`,
  stillRunning: (todos) => (todos.length === 0 ? ' 나머지 테스트는 아직 실행 중…' : ` TODO ${todoNumbers(todos)}의 테스트는 아직 실행 중…`),
  checkingTypes: ' 타입 검사 중…',
  passButCompile: (total) => `테스트 ${total}개가 모두 통과했지만, 연습 문제 코드가 아직 컴파일되지 않습니다.`,
  runtimePass: (total) => `런타임 테스트 ${total}개가 모두 통과했습니다.`,
  allPass: (total) => `✓ 테스트 ${total}개가 모두 통과했습니다.`,
  readSolution: (file) => `주석이 달린 해답을 읽어 보십시오: ${file}`,
  todoNotDone: (failing, typeErrors) =>
    `—\u00a0${[failing > 0 ? `${failing}개\u00a0실패` : '', typeErrors > 0 ? `타입\u00a0오류\u00a0${typeErrors}개` : ''].filter(Boolean).join(',\u00a0')}`,
  compileErrorAt: (location) => `TypeScript 오류: ${location}`,
  typeTest: '(타입 테스트)',
  typeIsNotExpected: (actual) => `타입이 ${actual}입니다. 이 테스트가 기대하는 타입이 아닙니다`,
  typeIsNot: (actual, expected) => `타입이 ${actual}입니다. 기대하는 타입: ${expected}`,
  typeTooLoose: '컴파일되면 안 되는 줄이 컴파일됩니다. 타입이 너무 많은 값을 허용합니다',
  typeUnknown: '타입이 unknown 또는 any입니다. 실제 형태를 정해 주십시오',
  stalled: (seconds, test) =>
    `${seconds}초 동안 진행이 없어 테스트를 멈췄습니다${test === undefined ? '' : ` ("${test}" 실행 중)`}. exercise.ts에 무한 루프가 있는지 확인해 보십시오.`,
  crashed: (test, heapMb, cause) =>
    `테스트 프로세스가 멈췄습니다${test === undefined ? '' : ` ("${test}" 실행 중)`}. 메모리 ${heapMb}MB를 다 썼을 수 있습니다. 목록에 값을 끝없이 추가하는 루프가 있는지 확인해 보십시오. (${cause})`,
  escapedRejection: (test) =>
    `테스트 밖으로 오류가 빠져나왔습니다${test === undefined ? '' : ` ("${test}" 실행 중)`}. 아무도 await하거나 catch하지 않은 프로미스(promise)가 reject되었습니다 (unhandled rejection).`,
  escapedException: (test) =>
    `테스트 밖으로 오류가 빠져나왔습니다${test === undefined ? '' : ` ("${test}" 실행 중)`}. 콜백이 던진 오류를 아무도 잡지 못했습니다 (uncaught exception).`,
  escapedFrom: (file, places) => {
    const todo = (todos: number[]) => (todos.length === 0 ? '' : ` (TODO ${todos.join(' 또는 ')})`);
    const [thrown, ...callers] = places;
    return `${file}:${thrown!.line}${todo(thrown!.todos)}에서 던져졌습니다${callers.length === 0 ? '' : `. 호출한 곳: ${callers.map((place) => `${place.line}번째 줄${todo(place.todos)}`).join(', ')}`}.`;
  },
  escapedElsewhere: (file, todo) =>
    `스택이 ${file}을(를) 지나지 않습니다. ${todo === undefined ? '' : `실행 중이던 테스트의 TODO ${todo} 코드에서 `}await하지도 return하지도 않은 프로미스나 오류를 던지는 콜백을 찾아보십시오.`,
  noHints: (id, file) => `레슨 ${id}에는 힌트가 없습니다 (${file}).`,
  hintHeading: (number, total, todo, id) => `힌트 ${number}/${total}${todo === undefined ? '' : ` (TODO ${todo})`} — 레슨 ${id}`,
  nextHintWith: (how, file) => `(다음 힌트: ${how} · 모든 힌트: ${file})`,
  lastHint: (todo, solution) =>
    `${todo === undefined ? '' : `TODO ${todo}의 `}마지막 힌트였습니다. 테스트가 통과하면 ${solution} 파일과 비교해 보십시오.`,
  hintsAllShown: '(힌트를 모두 보았습니다. 마지막 힌트를 다시 보여 드립니다)',
  pressH: 'h 키',
  checkingLessons: (which) => `${which ?? '모든 레슨'} 검사 중:`,
  suiteDidNotLoad: '스위트를 불러오지 못함',
  testCounts: (ok, total, typeErrorTodos) =>
    `테스트 ${ok}/${total}${typeErrorTodos === undefined ? '' : typeErrorTodos.length === 0 ? ', 타입 오류' : `, 타입 오류 TODO ${typeErrorTodos.join(',')}`}`,
  notStarted: '시작 전',
  testsAndErrorOutside: (ok, total) => `테스트 ${ok}/${total}, 테스트 밖의 오류`,
  nextLesson: (id, exercise, number) => `다음: ${id} — ${exercise} 파일을 고친 다음 이 명령으로 확인하십시오.\n  ${run(`npm test -- ${number}`)}   (또는 ${run('npm start')})`,
  get rememberedResults() {
    return `(저장해 둔 결과를 보여 줍니다. 모든 레슨을 다시 실행하는 명령은 다음과 같습니다.\n  ${run('npm run progress -- --fresh')})`;
  },
  startNotRecorded: (id) => `${id}의 시작 버전이 workbook/starts.json에 기록되어 있지 않아 되돌릴 수 없습니다. 파일은 그대로 두었습니다.`,
  restoredMissing: (file) => `${file} 파일이 없어서 처음 상태로 되살렸습니다 (힌트도 처음부터 다시 시작합니다).`,
  alreadyAtStart: (file) => `${file} 파일은 이미 처음 상태입니다. 아무것도 바꾸지 않았습니다.`,
  resetDone: (backup, file) => `작업한 내용은 ${backup} 파일에 저장했습니다.\n${file} 파일을 처음 상태로 돌려놓았습니다 (힌트도 처음부터 다시 시작합니다).\n작업한 내용을 복구하려면: cp ${backup} ${file}`,
  runningTestsOf: (lessons, target) => `${lessons.length === 1 ? `레슨 ${lessons[0]}` : `레슨 ${lessons.length}개`}의 테스트 실행 중 (${target})…`,
  failuresOrder: '(아직 끝나지 않은 첫 TODO의 실패를 위에 먼저 보여 드렸습니다)',
  errorsAbove: '(무엇이 잘못되었는지는 위에 있습니다)',
  lessonsPass: (passing, total, seconds) => `레슨 ${total}개 중 ${passing}개 통과 (${seconds}초).`,
  usingCurrentLesson: (number) => `(지금 하고 있는 레슨: ${number}. 다른 레슨은 \`-- NN\`으로 지정하십시오)`,
  unknownCommand: (command) => `"${command}"라는 명령은 없습니다. 명령: guide, test, example, hint, debug, progress, reset, check.`,
  needsLesson: '이 명령에는 레슨이 필요합니다.',
  noSuchLesson: (name) => `"${name}"에 해당하는 레슨이 없습니다.`,
  nameALesson: (example) => `번호나 폴더 이름으로 지정하십시오. 예: \`1\`, \`01\`, \`${example}\`:`,
  noExample: (id, file) => `레슨 ${id}에는 예제가 없습니다 (${file}).`,
  get debugUsage() {
    return `사용법: ${run('npm run debug -- [NN] [-t "테스트 이름(영어)의 일부" | --all]')}`;
  },
  debugNeedsWords: '-t 뒤에는 테스트 이름(영어)의 일부를 적어야 합니다. 예: -t "returns 404"',
  debugUnknownOption: (option) => `"${option}"라는 옵션은 없습니다.`,
  debugOneLesson: '레슨은 한 번에 하나만 지정하십시오.',
  debugAllOrWords: '-t와 --all은 함께 쓸 수 없습니다. 둘 중 하나만 지정하십시오.',
  debugRunningFirst: (number) => `지금 파일로 실행한 결과가 아직 없어, 실패하는 테스트를 찾으려고 레슨 ${number}의 테스트를 먼저 실행합니다…`,
  debugFirstFailing: (todo, current) =>
    `${todo === undefined ? '' : `${current ? '지금 진행 중인 ' : ''}TODO ${todo}에서 `}처음으로 실패하는 테스트 하나를 디버그합니다:`,
  debugMatching: (words) => `이름에 "${words}"이(가) 들어 있는 테스트를 디버그합니다.`,
  debugNoMatch: (number, words) => `레슨 ${number}에는 이름에 "${words}"이(가) 들어 있는 런타임 테스트가 없습니다.`,
  debugOnlyTypeTestsFail: '실패하는 테스트는 타입 테스트뿐입니다. 타입 테스트는 실행되지 않고 tsc가 검사합니다.',
  debugNothingFails: '실패하는 런타임 테스트가 없습니다.',
  debugWholeSuite: '테스트 스위트 전체를 디버그합니다.',
  debugOthers: (number) => `(다른 테스트: \`${run(`npm run debug -- ${number} -t "테스트 이름(영어)의 일부"`)}\`, 전체: \`${run(`npm run debug -- ${number} --all`)}\`)`,
  debugUnderDebugger: '이 명령에는 이미 디버거가 연결되어 있습니다(VS Code 등). 디버거가 테스트 프로세스에도 알아서 연결됩니다.',
  debugWaiting: (url) => `테스트 프로세스가 ${url} 에서 디버거 연결을 기다리고 있습니다.`,
  debugChrome: 'Chrome 또는 Edge: chrome://inspect 를 열고 Remote Target 아래 …/vitest/dist/workers/forks.js 밑의 "inspect"를 누르십시오.',
  debugChromePort: (port) => `(포트 ${port}은(는) 처음에는 목록에 없습니다. "Configure…"에서 127.0.0.1:${port}을(를) 추가하십시오)`,
  debugDevtoolsUrl: '또는 다음 주소를 주소 표시줄에 붙여 넣으십시오:',
  debugVsCode: (port, usual) =>
    `VS Code: 실행 및 디버그(Run and Debug)에서 "Attach to npm run debug"를 고르십시오${port === usual ? '' : ` (먼저 .vscode/launch.json에서 이 구성의 "port"를 ${port}(으)로 바꾸십시오)`}.`,
  debugThen: (pauseFile, exercise) =>
    `디버거가 연결되면 테스트 직전에 ${pauseFile}에서 한 번 멈춥니다. ${exercise} 파일을 열고(DevTools에서는 Ctrl+P, exercise.ts), 여러분의 코드에서 줄 번호를 눌러 중단점을 설정한 다음 실행을 계속하십시오(DevTools는 F8, VS Code는 F5).`,
  debugStop: '테스트가 끝나면 디버거 연결이 끊기고 결과가 여기에 출력됩니다. 언제든 Ctrl-C를 누르면 모두 멈춥니다.',
  debugStopped: '멈췄습니다.',
  debugNoTestRan: '실행된 테스트가 없습니다.',
  debugNoSuite: (id) => `레슨 ${id}에는 디버그할 런타임 테스트가 없습니다 (tests/${id}.test.ts).`,
  debugNoFreePort: (first, last) => `127.0.0.1의 포트 ${first}부터 ${last}까지 모두 사용 중입니다. 다른 디버그 세션이 아직 열려 있는지 확인해 보십시오.`,
  debugInAnotherTerminal: (number) =>
    `디버거로 테스트를 한 줄씩 따라가려면 다른 터미널에서 다음 명령을 실행하십시오.\n  ${run(`npm run debug -- ${number}`)}\n처음으로 실패하는 테스트를 실행합니다(다른 테스트는 -t "테스트 이름(영어)의 일부"로 고릅니다). 그 명령은 Chrome DevTools나 VS Code가 연결하기를 기다리고, 그동안에도 이 가이드는 저장할 때마다 테스트를 다시 실행합니다.`,
  nothingToDebug: '모든 레슨을 통과했습니다. 디버그할 실패 테스트가 없습니다.',
};

const CATALOGS: Record<Language, Messages> = { en, ko };

/** This process's language; tests may switch it with useLanguage(). */
export let language: Language = languageFrom(process.env);

/** The runner's words in this process's language. */
export let say: Messages = CATALOGS[language];

export function useLanguage(chosen: Language): void {
  language = chosen;
  say = CATALOGS[chosen];
}
