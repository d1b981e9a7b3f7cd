// What the Vitest extension for VS Code (vitest.explorer, github.com/vitest-dev/vscode) does with
// vitest's Node API to list and run tests, reduced to the calls it makes: initVitest in
// packages/worker/src/index.ts, the start in packages/extension/src/worker/index.ts, and getFiles,
// collectTests and runTests in packages/worker/src/runner.ts.
// Run with a workbook as the current folder, as the extension runs its worker process:
//   node vscode-extension.mjs <suite file> [debug]
// "debug" adds the options of the extension's Debug Test button. Prints vitest's own report, as
// the extension logs it, then one line `RESULT {…}`: the test files, the tests listed in the suite
// (parsed, not run) and how each one ran.
import path from 'node:path';
import { createVitest } from 'vitest/node';

const [suite, mode] = process.argv.slice(2);
const debugOptions = { disableConsoleIntercept: true, fileParallelism: false, testTimeout: 0, hookTimeout: 0 };
const vitest = await createVitest(
  'test',
  {
    config: path.resolve('vitest.config.ts'),
    ...(mode === 'debug' ? debugOptions : {}),
    watch: true,
    api: false,
    reporter: undefined,
    ui: false,
    includeTaskLocation: true,
  },
  {
    server: { middlewareMode: true, watch: null },
    plugins: [
      {
        name: 'vitest:vscode-extension',
        config(userConfig) {
          // The extension keeps the default reporter beside its own, which reports over a socket.
          userConfig.test ??= {};
          userConfig.test.reporters = [['default', { isTTY: false }]];
        },
      },
    ],
  },
);
// The extension's worker says it is ready, then starts the reporters.
await vitest.report('onInit', vitest);

// getFiles: the test explorer's files.
vitest.clearSpecificationsCache();
const files = (await vitest.globTestSpecifications()).map((spec) => ({ file: path.relative(process.cwd(), spec.moduleId), project: spec.project.name }));

// collectTests: the tests inside a file, read from its source without running it.
const project = vitest.getProjectByName(files[0]?.project ?? '');
const [parsed] = await vitest.experimental_parseSpecifications([project.createSpecification(path.resolve(suite))]);
const listed = [...parsed.children.allTests()].map((test) => test.fullName);

// runTests, for one file.
const { testModules } = await vitest.rerunTestSpecifications([project.createSpecification(path.resolve(suite))], false);
const ran = testModules
  .filter((module) => module.moduleId === path.resolve(suite))
  .flatMap((module) => [...module.children.allTests()])
  .map((test) => ({ name: test.fullName, state: test.result().state, message: test.result().errors?.[0]?.message }));

console.log(`RESULT ${JSON.stringify({ files, listed, ran })}`);
await vitest.close();
