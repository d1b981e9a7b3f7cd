/** The lines lesson 10's child processes print for the suite (tests/support/10-child.mjs). */

/** Printed when a worker thread starts. */
export const CHILD_THREAD = '@@lesson10-thread';
/** Starts the line printed as the process exits; JSON {"code", "threads"} follows. */
export const CHILD_EXIT = '@@lesson10-exit ';
