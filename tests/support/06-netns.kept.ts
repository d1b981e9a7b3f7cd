/**
 * Lesson 06's second host, kept by the guide from one run to the next (workbook/warm-forks.ts):
 * making one, checking its link and removing it cost each run several processes. It is removed
 * when this process leaves, which it does when the guide's IPC channel closes, however the guide
 * ended. (Killed itself, it leaves the namespace to the next one made, which removes namespaces
 * whose process is gone.)
 */
import { checkLink, createSecondHost, KEPT_SECOND_HOST, teardownSync, whyNoSecondHost, type SecondHost } from './06-netns.ts';

let made: SecondHost | undefined;
process.on('disconnect', () => {
  if (made) teardownSync(made);
  process.exit(0);
});

if ((await whyNoSecondHost()) === null) {
  try {
    made = await createSecondHost();
    await checkLink(made);
  } catch {
    if (made) teardownSync(made);
    made = undefined;
  }
}
// Without one, each run makes its own, or says why its tests are skipped.
process.send!({ env: made ? { [KEPT_SECOND_HOST]: JSON.stringify(made) } : {} });
