// Loopback ports for benchmarks.
import { createServer } from 'node:net';

/** A port on 127.0.0.1 with nothing listening (for the disconnected case). */
export async function deadPort() {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}
