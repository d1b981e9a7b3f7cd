import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../target.ts';

/** Runs the CLI the way `npm run` does, without a terminal. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'workbook/cli.ts', ...args], { cwd: ROOT, timeout: 50_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the command line', () => {
  test.each([
    ['hint', '99'],
    ['reset', 'nope'],
    ['example', '0'],
    ['test', '123'],
    ['hint'],
  ])('`%s %s` exits non-zero and lists the lessons', async (...args) => {
    const { code, stderr } = await cli(...args);
    expect(code).not.toBe(0);
    expect(stderr).toContain('01-models');
  });

  test('the guide without a terminal prints the status once and exits 0', async () => {
    const { code, stdout } = await cli('guide');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d+\/\d+ lessons/);
    expect(stdout, 'the current lesson, or the end').toMatch(/edit {2}lessons\/\d{2}-[a-z0-9-]+\/exercise\.ts|Every lesson passes/);
    expect(stdout.match(/FastAPI ways in TypeScript — the guide/g), 'the header appears once').toHaveLength(1);
  });
});
