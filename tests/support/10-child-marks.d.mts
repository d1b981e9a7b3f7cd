/** Printed when a worker thread starts. */
export const CHILD_THREAD: string;
/** Starts the line printed as the process exits; JSON {"code", "threads"} follows. */
export const CHILD_EXIT: string;
