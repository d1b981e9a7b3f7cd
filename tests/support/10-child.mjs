/**
 * Lesson 10's child processes: loaded with `node --import` before the program under test (the
 * bundle of the exercise that the Dockerfile builds), so that the suite can send it real signals
 * and see how it ended. Besides whatever the program prints, it prints a CHILD_THREAD line when a
 * worker thread starts, and one CHILD_EXIT line as the process ends (10-child-marks.mjs).
 */
import { CHILD_EXIT, CHILD_THREAD } from './10-child-marks.mjs';
import { onThreadStarted, runningThreads } from './threads.mjs';

onThreadStarted(() => process.stdout.write(`${CHILD_THREAD}\n`));
process.on('exit', (code) => process.stdout.write(`${CHILD_EXIT}${JSON.stringify({ code, threads: runningThreads().length })}\n`));
