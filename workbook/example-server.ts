/**
 * What every serving example shares: listen on HOST/PORT (127.0.0.1 unless told), print the URL
 * and a few things to try, and stop cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 * Lesson 06 explains the choices: 127.0.0.1 by default because 0.0.0.0 exposes the server to the
 * whole network; HOST=0.0.0.0 is an explicit opt-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExampleOptions {
  /** Port when PORT is unset (FastAPI's uvicorn uses 8000). */
  defaultPort?: number;
  /** Lines printed under the URL: curl commands, pages to open. `{url}` is replaced by the base URL. */
  tryThis?: string[];
  /** Runs on shutdown, after the HTTP server has closed (e.g. close a UDP socket). */
  onClose?: () => Promise<void> | void;
}

/** Reads HOST and PORT; exits with a clear message when PORT is not a port number. */
export function hostAndPort(defaultPort: number, env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const host = env.HOST?.trim() || '127.0.0.1';
  const raw = env.PORT?.trim();
  if (raw === undefined || raw === '') return { host, port: defaultPort };
  // Digits only: Number() would also take "0x50" (80) and "1e3" (1000), which no one means as a port.
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    console.error(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}.`);
    process.exit(2);
  }
  return { host, port };
}

/** Formats a host for a URL: IPv6 literals need brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the example's server and returns its base URL once it is really listening. */
export async function serveExample(handler: http.RequestListener, options: ExampleOptions = {}): Promise<string> {
  const { host, port } = hostAndPort(options.defaultPort ?? 8000);
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE' ? `port ${port} is already in use (try PORT=0 for a free one)` :
        error.code === 'EACCES' ? `no permission to bind port ${port} (ports below 1024 need privileges)` :
        error.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` :
        error.message;
      console.error(`Could not listen on ${host}:${port}: ${reason}.`);
      process.exit(1);
    });
    server.listen(port, host, resolve);
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${boundPort}`;
  console.log(`Listening on ${url}  (bound to ${host}:${boundPort}; Ctrl-C stops it)`);
  for (const line of options.tryThis ?? []) console.log(`  ${line.replaceAll('{url}', url)}`);

  const stop = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await options.onClose?.();
    console.log('Stopped.');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return url;
}
