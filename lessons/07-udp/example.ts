/**
 * Lesson 07 example: the study note's UDP listener, done properly.
 *
 *   npm run example -- 07                      (or: npx tsx lessons/07-udp/example.ts)
 *   PORT=8000 UDP_PORT=12345 HOST=127.0.0.1    (the defaults; UDP_PORT=0 picks a free port)
 *
 * HTTP and UDP start together on HOST. Each datagram is printed with its sender's address and
 * port and kept (the last 100) for GET /datagrams. Ctrl-C (SIGINT) or SIGTERM stops both and
 * frees both ports — the shutdown the note's startup hook never had.
 */
import dgram from 'node:dgram';
import express from 'express';
import { hostAndPort, serveExample } from '../../workbook/example-server.ts';

const KEEP = 100;

interface Received {
  from: { address: string; port: number };
  bytes: number;
  /** The payload as text when it is valid UTF-8, otherwise null (see `hex`). */
  text: string | null;
  hex: string;
  at: string;
}

/**
 * UDP_PORT from the environment; 12345 (the note's port) when unset or blank. Digits only, like
 * PORT (lesson 06): Number() alone would take "0x50", "1e3" and "+80".
 */
function udpPortFromEnv(): number {
  const raw = process.env.UDP_PORT;
  const text = raw?.trim() ?? '';
  if (text === '') return 12345;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    console.error(`UDP_PORT must be a whole number from 0 to 65535, written in digits; got ${JSON.stringify(raw)}.`);
    process.exit(2);
  }
  return port;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function asText(payload: Buffer): string | null {
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}

async function main() {
  // The same HOST as the HTTP side (serveExample reads it the same way): 127.0.0.1 unless told.
  const { host } = hostAndPort(8000);
  const udpPort = udpPortFromEnv();
  const received: Received[] = [];

  const family = host.includes(':') ? 'udp6' : 'udp4';
  const socket = dgram.createSocket(family);
  socket.on('message', (payload, rinfo) => {
    const text = asText(payload);
    const entry: Received = {
      from: { address: rinfo.address, port: rinfo.port },
      bytes: payload.length,
      text,
      hex: payload.toString('hex'),
      at: new Date().toISOString(),
    };
    received.push(entry);
    if (received.length > KEEP) received.shift();
    const shown = text === null ? `(${payload.length} bytes, not UTF-8) ${entry.hex}` : JSON.stringify(text);
    console.log(`UDP ${rinfo.address}:${rinfo.port} → ${shown}`);
  });

  // Bind UDP first: if its port is taken, say so and stop before HTTP starts at all.
  await new Promise<void>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE' ? `port ${udpPort} is already in use (try UDP_PORT=0 for a free one)` : error.message;
      console.error(`Could not bind UDP ${host}:${udpPort}: ${reason}.`);
      process.exit(1);
    });
    socket.bind(udpPort, host, () => resolve());
  });
  socket.on('error', (error) => console.error(`UDP error: ${error.message}`));
  const bound = socket.address();
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  console.log(`UDP listening on ${bound.address}:${bound.port}`);

  const app = express();
  app.get('/', (_req, res) => {
    res.json({
      lesson: '07 UDP',
      udp: { address: bound.address, port: bound.port },
      routes: { '/datagrams': `the last ${KEEP} datagrams received, oldest first` },
    });
  });
  app.get('/datagrams', (_req, res) => {
    res.json(received);
  });

  await serveExample(app, {
    defaultPort: 8000,
    tryThis: [
      `send one:  node -e "require('node:dgram').createSocket('${family}').send('hello', ${bound.port}, '${target}', (e) => process.exit(e ? 1 : 0))"`,
      `      or:  printf 'hello' | nc -u -w1 ${target} ${bound.port}`,
      'then:      curl {url}/datagrams',
    ],
    // serveExample closes HTTP first, then this: both ports are free when the process exits.
    onClose: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  });
}

await main();
