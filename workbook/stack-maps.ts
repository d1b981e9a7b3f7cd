/**
 * Stack frames of failed tests, mapped once per package file instead of once per frame.
 *
 * For each error a worker reports, vitest's main process maps every frame through a source map.
 * For a file vite did not transform itself (vitest's own runner chunks, 100 kB and more, and the
 * packages in node_modules) it reads the whole file and searches it for a sourceMappingURL
 * comment, again for every frame of every error. A stub's run has dozens of failing tests, each
 * with several frames in those files: measured on lesson 04's stub, about 180 ms of the main
 * process's time per run, on a 2-core machine where the test worker needs the other core. A
 * package does not change while the runner runs, so its answer is kept; every other file is
 * mapped as vitest maps it.
 *
 * vitest keeps this step in an internal class (`_testRun.syncUpdateStacks`, vitest is pinned to
 * an exact version); the wrapper fills in `error.stacks`, which vitest's own step then keeps as
 * it is. workbook/test/stack-maps.test.ts fails if the step moves.
 */
import { existsSync, readFileSync } from 'node:fs';
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

/** Makes `vitest` read each package file's source map once, not once per stack frame. */
export function mapPackageStacksOnce(vitest: Vitest): void {
  const testRun = stackStep(vitest);
  if (!testRun) return;
  const packageMaps = new Map<string, SourceMap | undefined>();
  const mapOf = (project: TestProject, file: string): SourceMap | undefined => {
    // As vitest does: files vite transformed are mapped in the worker already.
    if (project.vite.moduleGraph.getModuleById(file)?.transformResult) return undefined;
    const inPackage = file.includes('/node_modules/');
    if (inPackage && packageMaps.has(file)) return packageMaps.get(file);
    const map = existsSync(file) ? extractSourcemapFromFile(readFileSync(file, 'utf8'), file)?.map : undefined;
    if (inPackage) packageMaps.set(file, map);
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
