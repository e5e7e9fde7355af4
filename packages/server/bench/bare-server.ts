// The floor GetVM is compared with: a minimal connect-node server (HTTP/2 without TLS, as the
// bench's server listens) that answers VMService/GetVM with one canned VirtualMachine — no
// authentication, no interceptors, no lookup, no conversion. What the real server spends per call
// above it is the project's own share of the path.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";

/** BareServer is the running floor server. */
export interface BareServer {
  readonly url: string;
  close(): Promise<void>;
}

/** startBareServer listens on a random loopback port and answers every GetVM with `vm`. */
export async function startBareServer(vm: compute.VirtualMachine): Promise<BareServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        void router.service(compute.VMService, {
          async getVM() {
            return { vm };
          },
        }),
    }),
  );
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
