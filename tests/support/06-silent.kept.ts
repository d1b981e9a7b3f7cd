/**
 * Lesson 06's silent port, kept by the guide from one run to the next (workbook/warm-forks.ts):
 * making one costs each run a thread and a fifth of a second or more. It ends with this process,
 * which ends when the guide's IPC channel closes, however the guide ended.
 */
import { createSilentPort, KEPT_SILENT_PORT } from './06-silent.ts';

process.on('disconnect', () => process.exit(0));

const silent = await createSilentPort();
// Without one, each run tries for itself, and says why its tests are skipped.
process.send!({ env: typeof silent === 'string' ? {} : { [KEPT_SILENT_PORT]: String(silent.port) } });
