/** The line a lesson 10 child prints when a worker thread starts. */
export const CHILD_THREAD: string;
/** The start of the line a lesson 10 child prints as it exits; JSON {"code", "threads"} follows. */
export const CHILD_EXIT: string;
