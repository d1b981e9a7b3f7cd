/** The command that runs tsc from the project at `root`: `[file, ...arguments before tsc's own]`. */
export function tscCommand(root: string): [string, ...string[]];
