/**
 * What the runner remembers between commands, in `.workbook/` (not committed): the lesson last
 * on screen, how many hints were shown, the verdicts (verdicts.ts) and the backups `reset` makes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './target.ts';

export interface State {
  /** Hints shown so far, by lesson id, or by "lesson id:TODO n" for hints written per TODO. */
  hintsShown: Record<string, number>;
  /** The lesson the guide showed last: commands given no lesson number use it. */
  current?: string;
}

export function stateDir(root = ROOT): string {
  return path.join(root, '.workbook');
}

function stateFile(root: string): string {
  return path.join(stateDir(root), 'state.json');
}

export function readState(root = ROOT): State {
  try {
    const parsed = JSON.parse(fs.readFileSync(stateFile(root), 'utf8')) as Partial<State>;
    return { hintsShown: parsed.hintsShown ?? {}, ...(typeof parsed.current === 'string' ? { current: parsed.current } : {}) };
  } catch {
    // No state yet, or a file damaged by hand: start from nothing rather than fail.
    return { hintsShown: {} };
  }
}

export function writeState(state: State, root = ROOT): void {
  fs.mkdirSync(stateDir(root), { recursive: true });
  writeFileAtomically(stateFile(root), `${JSON.stringify(state, null, 2)}\n`);
}

/** Changes the state in one read-modify-write. */
export function updateState(change: (state: State) => void, root = ROOT): void {
  const state = readState(root);
  change(state);
  writeState(state, root);
}

/**
 * Writes through a temporary file and a rename, so a reader (or a second command) never sees
 * half a file. The temporary name carries the process id: cleanUpAfterKilledRuns finds leftovers.
 */
export function writeFileAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/** Files in .workbook/ named after a process that no longer runs: a run that was killed. */
export function cleanUpAfterKilledRuns(root = ROOT): void {
  const dir = stateDir(root);
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const pid = name.match(/\.(\d+)\.tmp$/)?.[1] ?? name.match(/^tsconfig\.exercises-(\d+)-\d+\.json$/)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Whether process `pid` exists (EPERM: it does, but belongs to someone else). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
