// Production server: Next.js behind a plain Node HTTP server, so the app knows the address that
// actually connected. Next.js only fills X-Forwarded-For when a client did not, which would let any
// client write its own address into rate limits and the audit. This sets a header from the socket on
// every request, replacing whatever a client sent, and tells the app (a process flag) to read it.
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// As `next start` does; set before Next.js and React load, since they pick their builds on import.
process.env.NODE_ENV = 'production';
const { default: next } = await import('next');
const port = Number(process.env.PORT ?? 3000);
globalThis.strongroomPeerHeader = 'x-strongroom-peer';

const app = next({ dev: false, dir: join(dirname(fileURLToPath(import.meta.url)), '..'), port });
const handle = app.getRequestHandler();
await app.prepare();
createServer((req, res) => {
  req.headers['x-strongroom-peer'] = req.socket.remoteAddress ?? '';
  void handle(req, res);
}).listen(port);
