/**
 * Lesson 06 — bind address, the example: a tiny Express server that tells you where it is bound
 * and which local addresses can actually reach it. Run it with `npm run example -- 06`, then run it
 * again with HOST=0.0.0.0 (or HOST=::) and compare the reachability lists.
 *
 *   GET /   {"bound": ..., "reachedVia": ..., "from": ...}: which of the server's addresses your
 *           request arrived on, and where it came from
 *
 * HOST and PORT are read like everywhere in this workbook (127.0.0.1 and 8000 unless told).
 */
import express from 'express';
import net from 'node:net';
import { hostAndPort, urlHost } from '../../workbook/example-server.ts';

const { host, port } = hostAndPort(8000);
const app = express();

app.get('/', (req, res) => {
  const bound = server.address() as net.AddressInfo;
  res.json({
    bound: { address: bound.address, port: bound.port },
    // localAddress: the address of *this* machine that accepted the connection. With HOST=0.0.0.0,
    // curl http://127.0.0.2:PORT/ shows 127.0.0.2 here.
    reachedVia: req.socket.localAddress,
    from: req.socket.remoteAddress,
  });
});

// Express 5 passes a listen error to this callback. Ignoring the argument would print
// "Listening" for a server that is not listening at all (port taken, port privileged...).
const server = app.listen(port, host, (error?: Error) => {
  if (error) return fail(error as NodeJS.ErrnoException);
  void announce();
});

function fail(error: NodeJS.ErrnoException): never {
  const where = `${host}:${port}`;
  const advice =
    error.code === 'EADDRINUSE' ? `port ${port} is already in use; pick another PORT, or PORT=0 for any free port` :
    error.code === 'EACCES' ? `permission denied; ports below 1024 are privileged, use 1024 or above` :
    error.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine` :
    error.message;
  console.error(`Could not listen on ${where}: ${advice}.`);
  process.exit(1);
}

async function announce(): Promise<void> {
  const bound = server.address() as net.AddressInfo;
  // A wildcard address (0.0.0.0, ::) is something to bind to, not something to connect to.
  const visible = bound.address === '0.0.0.0' || bound.address === '::' ? '127.0.0.1' : bound.address;
  const url = `http://${urlHost(visible)}:${bound.port}`;
  console.log(`Listening on ${url}  (HOST=${host} became ${bound.address}, port ${bound.port}; Ctrl-C stops it)`);

  console.log('Which local addresses reach it (one TCP connection each):');
  for (const address of ['127.0.0.1', '127.0.0.2', '::1']) {
    const result = await knock(address, bound.port, 500);
    console.log(`  ${address.padEnd(10)} ${result === 'connected' ? 'yes' : `no (${result})`}`);
  }

  console.log('Try:');
  console.log(`  curl ${url}/`);
  // 127.0.0.2 is loopback on Linux and Windows (all of 127.0.0.0/8); macOS has only 127.0.0.1
  // unless aliased, so there it times out whatever the server is bound to.
  console.log(`  curl http://127.0.0.2:${bound.port}/     (Linux/Windows: refused unless bound to 0.0.0.0 or ::; macOS: no answer unless aliased)`);
  if (host === '127.0.0.1') {
    console.log('  HOST=0.0.0.0 npm run example -- 06   then compare the list (this also exposes it to your network!)');
    console.log('  HOST=::1 npm run example -- 06       IPv6 loopback only');
  } else {
    console.log('  npm run example -- 06                back to the safe default, 127.0.0.1');
  }
  console.log('  PORT=80 npm run example -- 06        as a normal user: a clear EACCES message, no "Listening"');
}

/** One TCP connection attempt: "connected", the error code, or "ETIMEDOUT". */
function knock(address: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

function stop(): void {
  // close() stops accepting; closeAllConnections() ends keep-alive connections that would
  // otherwise keep the process alive for seconds.
  server.close(() => {
    console.log('Stopped.');
    process.exit(0);
  });
  server.closeAllConnections();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
