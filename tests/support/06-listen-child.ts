/**
 * Lesson 06's EACCES check runs here, in a separate process that may lack the privilege to bind
 * low ports (the suite starts it as a normal user, or as root with CAP_NET_BIND_SERVICE dropped).
 * 06-unprivileged.ts bundles this module and the exercise into one program for plain Node.
 *
 * Prints one JSON line: what the exercise's listenOn did with 127.0.0.1:<port>. `outcome` is
 * "listening", "rejected", "crashed" (an uncaught exception, e.g. an 'error' event nobody listened
 * for) or "unsettled" (neither after 5 s), then ends the process.
 */
import net from 'node:net';

export async function listenAndReport(exercise: typeof import('#exercise/06-bind-address'), port: number): Promise<never> {
  const server = net.createServer();
  const options = { host: '127.0.0.1', port };

  /** Writes the report and ends the process (a listenOn that never settles must not leave it running). */
  function finish(report: Record<string, unknown>): never {
    report.stillListening = server.listening;
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  }

  process.once('uncaughtException', (error: NodeJS.ErrnoException) =>
    finish({ outcome: 'crashed', code: error.code, message: error.message }),
  );
  const patience = setTimeout(() => finish({ outcome: 'unsettled' }), 5_000);

  let report: Record<string, unknown>;
  try {
    const bound = await exercise.listenOn(server, options);
    report = { outcome: 'listening', address: bound.address, port: bound.port };
    await bound.close();
  } catch (error) {
    const e = error as Partial<InstanceType<typeof exercise.ListenError>>;
    report = {
      outcome: 'rejected',
      isListenError: error instanceof exercise.ListenError,
      code: e.code,
      host: e.host,
      port: e.port,
      message: e.message,
    };
  }
  clearTimeout(patience);
  return finish(report);
}
