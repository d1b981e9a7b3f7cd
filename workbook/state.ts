/**
 * What the runner remembers between commands, in `.workbook/` (not committed): how many hints
 * of each lesson were shown, and the backups that `reset` makes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './target.ts';

export interface State {
  hintsShown: Record<string, number>;
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
    return { hintsShown: parsed.hintsShown ?? {} };
  } catch {
    // No state yet, or a file damaged by hand: start from nothing rather than fail.
    return { hintsShown: {} };
  }
}

export function writeState(state: State, root = ROOT): void {
  fs.mkdirSync(stateDir(root), { recursive: true });
  fs.writeFileSync(stateFile(root), `${JSON.stringify(state, null, 2)}\n`);
}
