// A TCP proxy in front of a receiver that can stop reading what the platform sends and start again: a
// destination that falls behind, for the tests of slow destinations.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface StallingProxy {
  /** Stops reading the platform's side until resume(): the socket buffers in between fill up. */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:port and forwards each connection to 127.0.0.1:target. */
export async function startStallingProxy(port: number, target: number): Promise<StallingProxy> {
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target, "127.0.0.1");
    sockets.push(client, upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const platformSide = () => sockets.filter((_, i) => i % 2 === 0);
  return {
    stall: () => {
      for (const socket of platformSide()) {
        socket.unpipe();
        socket.pause();
      }
    },
    resume: () => {
      for (const [i, socket] of sockets.entries()) if (i % 2 === 0) socket.pipe(sockets[i + 1]!);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
