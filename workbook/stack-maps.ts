/**
 * Stack frames of failed tests, with each file's source map read once per version of the file
 * instead of once per frame.
 *
 * For each error a worker reports, vitest's main process maps every frame through a source map.
 * For a file not in vite's module graph it reads the whole file and searches it for a
 * sourceMappingURL comment, again for every frame of every error. That is every file here: vitest's
 * own runner chunks and the packages (100 kB and more), and, since vite keeps its transforms per
 * environment where this lookup does not see them, the lesson's suite and exercise too. A stub's
 * run has dozens of failing tests with several frames each: measured on lesson 08's stub, the main
 * process read its suite and exercise about 300 times per run, ~0.14 s of its time, while the learner
 * waited for the verdict it was about to tell. A file's answer is now kept until the file changes
 * (its modification time or size; the exercise changes with every save).
 *
 * vitest keeps this step in an internal class (`_testRun.syncUpdateStacks`, vitest is pinned to
 * an exact version); the wrapper fills in `error.stacks`, which vitest's own step then keeps as
 * it is. workbook/test/stack-maps.test.ts fails if the step moves.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseErrorStacktrace } from '@vitest/utils/source-map';
import { extractSourcemapFromFile } from '@vitest/utils/source-map/node';
import type { TestProject, Vitest } from 'vitest/node';

type SourceMap = NonNullable<ReturnType<typeof extractSourcemapFromFile>>['map'];
type ResultPack = [taskId: string, result: { errors?: unknown[] } | undefined, ...rest: unknown[]];
interface TestRun {
  syncUpdateStacks(update: ResultPack[]): void;
}

/** The internal step that maps the stacks, or undefined if this vitest has none (then nothing is wrapped). */
export function stackStep(vitest: Vitest): TestRun | undefined {
  const testRun = (vitest as unknown as { _testRun?: Partial<TestRun> })._testRun;
  return typeof testRun?.syncUpdateStacks === 'function' ? (testRun as TestRun) : undefined;
}

/** Makes `vitest` read each file's source map once per version of the file, not once per stack frame. */
export function readSourceMapsOnce(vitest: Vitest): void {
  const testRun = stackStep(vitest);
  if (!testRun) return;
  const maps = new Map<string, { version: string; map: SourceMap | undefined }>();
  const mapOf = (project: TestProject, file: string): SourceMap | undefined => {
    // As vitest does: files vite transformed are mapped in the worker already.
    if (project.vite.moduleGraph.getModuleById(file)?.transformResult) return undefined;
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats?.isFile()) return undefined;
    const version = `${stats.mtimeMs} ${stats.size}`;
    const known = maps.get(file);
    if (known?.version === version) return known.map;
    const map = extractSourcemapFromFile(readFileSync(file, 'utf8'), file)?.map;
    maps.set(file, { version, map });
    return map;
  };
  const vitestsOwn = testRun.syncUpdateStacks.bind(testRun);
  testRun.syncUpdateStacks = (update) => {
    for (const [taskId, result] of update) {
      const file = vitest.state.idMap.get(taskId)?.file;
      // The browser pool maps its stacks another way: left to vitest.
      if (!file || file.pool === 'browser') continue;
      const project = vitest.getProjectByName(file.projectName || '');
      for (const error of result?.errors ?? []) {
        if (typeof error !== 'object' || error === null || (error as { stacks?: unknown }).stacks) continue;
        (error as { stacks?: unknown }).stacks = parseErrorStacktrace(error as Error, {
          frameFilter: project.config.onStackTrace,
          getSourceMap: (path) => mapOf(project, path),
        });
      }
    }
    vitestsOwn(update);
  };
}
