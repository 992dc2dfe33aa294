// The only way ffmpeg reaches remote sources: an HTTP proxy on 127.0.0.1 (forwarding for http, CONNECT
// tunnels for https, whose TLS ffmpeg still does end to end with the original host) that resolves each
// host once, checks every address with the SSRF guard and connects to exactly a checked address.
// Each ffmpeg run gets a pass of its own, so what the proxy refused is told to that run's caller.
// The configured storage endpoints (presigned s3:// sources) are reached even at a private address, and
// only at their exact scheme, host and port: nothing else private opens with them.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { EgressFailure, EgressPass, SourceEgress } from "../../plugins/sdk/sourceEgress.ts";
import { checkRemoteSource, type RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";

export interface EgressProxyOptions extends RemoteSourceOptions {
  /** How long a remote host may take to accept a connection. Default 15 000. */
  readonly connectTimeoutMs?: number;
  /** Origins (`http://10.0.0.5:9000`) of the storage endpoints the platform is configured with. */
  readonly storageOrigins?: readonly string[];
}

export interface EgressProxy extends SourceEgress {
  close(): Promise<void>;
}

interface PassState {
  failure: EgressFailure | undefined;
}

const REALM = 'Basic realm="webencode-egress"';
const UNREACHABLE_HINT =
  "Check that the URL opens from the platform's network without a login or a redirect and serves the " +
  "media file itself.";
// Hop-by-hop and proxy headers stay between ffmpeg and us.
const HOP_HEADERS = new Set([
  "proxy-authorization",
  "proxy-connection",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
]);

export function createEgressProxy(options: EgressProxyOptions = {}): EgressProxy {
  const secret = randomBytes(24).toString("hex");
  const passes = new Map<string, PassState>();
  const sockets = new Set<Duplex>();
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const storageOrigins = new Set((options.storageOrigins ?? []).map((origin) => new URL(origin).origin));
  let listening: Promise<{ server: Server; port: number }> | undefined;

  /** The pass a request authenticates as; undefined when its credentials are missing or wrong. */
  const passOf = (req: IncomingMessage): PassState | undefined => {
    const match = /^Basic\s+(\S+)$/i.exec(req.headers["proxy-authorization"] ?? "");
    if (!match) return undefined;
    const [id, given = ""] = Buffer.from(match[1]!, "base64").toString("utf8").split(":", 2);
    const a = Buffer.from(given);
    const b = Buffer.from(secret);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    return passes.get(id ?? "");
  };

  const record = (pass: PassState, failure: EgressFailure) => {
    pass.failure ??= failure;
  };

  /** Resolves and checks the target once; connects to the first checked address that answers. */
  const connectChecked = async (pass: PassState, url: string, port: number): Promise<Socket | undefined> => {
    const target = new URL(url);
    // a storage endpoint is listed for this connection only, by the exact origin it was configured with
    const checked = await checkRemoteSource(
      url,
      storageOrigins.has(target.origin)
        ? { ...options, allowHosts: [...(options.allowHosts ?? []), target.hostname] }
        : options,
    );
    if (checked._tag === "SourceRefused") {
      const kind = checked.reason === "unresolvable_host" ? "unreachable" : "refused";
      record(pass, { kind, message: checked.message, hint: checked.hint });
      return undefined;
    }
    let lastError = "no address";
    for (const { address, family } of checked.addresses) {
      try {
        const socket = await openSocket(address, family, port, connectTimeoutMs);
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
        return socket;
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    record(pass, {
      kind: "unreachable",
      message: `The source host ${checked.hostname} port ${port} cannot be reached: ${lastError}.`,
      hint: UNREACHABLE_HINT,
    });
    return undefined;
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, pass: PassState) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      return res.writeHead(400).end();
    }
    // https travels through CONNECT; anything else is not ours to fetch.
    if (target.protocol !== "http:") return res.writeHead(400).end();
    const port = Number(target.port || 80);
    const socket = await connectChecked(pass, target.href, port);
    if (socket === undefined) return res.writeHead(502).end();
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())),
    );
    const upstream = request({
      createConnection: () => socket,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers: { ...headers, host: target.host, connection: "close" },
    });
    upstream.on("response", (answer) => {
      const status = answer.statusCode ?? 502;
      if (status >= 300) record(pass, statusFailure(target, status, answer));
      res.writeHead(status, answer.statusMessage, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      record(pass, {
        kind: "unreachable",
        message: `The source server at ${target.host} broke off: ${error.message}.`,
        hint: UNREACHABLE_HINT,
      });
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  };

  const tunnel = async (req: IncomingMessage, client: Duplex, head: Buffer, pass: PassState) => {
    let target: URL;
    try {
      target = new URL(`https://${req.url ?? ""}/`);
    } catch {
      client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    const socket = await connectChecked(pass, target.href, Number(target.port || 443));
    if (socket === undefined) {
      client.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) socket.write(head);
    socket.pipe(client);
    client.pipe(socket);
    socket.on("close", () => client.destroy());
    client.on("close", () => socket.destroy());
  };

  const start = () => {
    listening ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        const pass = passOf(req);
        if (pass === undefined) {
          res.writeHead(407, { "proxy-authenticate": REALM, "content-length": 0 }).end();
          return;
        }
        void forward(req, res, pass).catch(() => res.destroy());
      });
      server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
        sockets.add(client);
        client.on("close", () => sockets.delete(client));
        client.on("error", () => client.destroy());
        const pass = passOf(req);
        if (pass === undefined) {
          client.end(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${REALM}\r\n\r\n`);
          return;
        }
        void tunnel(req, client, head, pass).catch(() => client.destroy());
      });
      server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.unref();
        resolve({ server, port: (server.address() as { port: number }).port });
      });
    });
    // A proxy that could not listen is tried again on the next run, not given up for good.
    listening.catch(() => {
      listening = undefined;
    });
    return listening;
  };

  return {
    async open(): Promise<EgressPass> {
      const { port } = await start();
      const id = randomBytes(12).toString("hex");
      const state: PassState = { failure: undefined };
      passes.set(id, state);
      return {
        proxyUrl: `http://${id}:${secret}@127.0.0.1:${port}`,
        failure: () => state.failure,
        close: () => {
          passes.delete(id);
        },
      };
    },
    async close() {
      if (listening === undefined) return;
      const { server } = await listening;
      listening = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function openSocket(address: string, family: number, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, family });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.removeListener("error", fail);
      socket.on("error", () => socket.destroy());
      resolve(socket);
    });
  });
}

function statusFailure(target: URL, status: number, answer: IncomingMessage): EgressFailure {
  const said = `${status}${answer.statusMessage ? ` ${answer.statusMessage}` : ""}`;
  if (status < 400) {
    const location = answer.headers.location;
    return {
      kind: "unreachable",
      message: `The source server at ${target.host} answered with a redirect (${said})${location ? ` to ${location}` : ""}; redirects are not followed.`,
      hint: "Submit the URL the media is finally served from.",
    };
  }
  return {
    kind: "unreachable",
    message: `The source server at ${target.host} answered ${said}.`,
    hint: UNREACHABLE_HINT,
  };
}
