/** A throwaway workbook in a temporary folder, so the runner's tests never touch the real one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export const START = 'export function add(a: number, b: number): number {\n  // TODO 1\n  throw new Error("add is not written yet");\n}\n';

function makeWorkbook(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-test-'));
  for (const [id, title] of [['01-first', 'First things'], ['02-second', 'Second things']] as const) {
    const dir = path.join(root, 'lessons', id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'README.md'), `# ${title}\n\nText.\n`);
    fs.writeFileSync(path.join(dir, 'exercise.ts'), START);
    fs.writeFileSync(path.join(dir, 'hints.md'), '# Hints\n\n## Hint 1\n\nA nudge.\n\n## Hint 2\n\nCloser.\n\n## Hint 3\n\nNearly the answer.\n');
  }
  fs.mkdirSync(path.join(root, 'lessons', 'notes'));
  fs.mkdirSync(path.join(root, 'workbook'));
  fs.writeFileSync(path.join(root, 'workbook', 'starts.json'), JSON.stringify({ '01-first': START, '02-second': START }));
  return root;
}

function removeWorkbook(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A fresh throwaway workbook for each test of the file; call the returned function for its root. */
export function useWorkbook(): () => string {
  let root = '';
  beforeEach(() => {
    root = makeWorkbook();
  });
  afterEach(() => removeWorkbook(root));
  return () => root;
}
