import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { common, compute } from "@limiquantix/api";
import { freePort, makeTempDir } from "@limiquantix/testkit";
import { describe, expect, it } from "vitest";
import { exited, launchServer, serverReady } from "../testing/server-process";
import { loginAs, TEST_ADMIN_PASSWORD, withBearer } from "../testing/signed-in";

/** nodesOf is a NodeService client of the child on `port`, signed in as its admin. */
async function nodesOf(port: number) {
  const baseUrl = `http://127.0.0.1:${port}`;
  const token = await loginAs(baseUrl, "admin", TEST_ADMIN_PASSWORD);
  return createClient(
    compute.NodeService,
    createGrpcTransport({ baseUrl, interceptors: [withBearer(token)] }),
  );
}

describe("a crash right after writes are acknowledged", () => {
  it("loses no change: after kill -9 and a restart, a watch resumed from before the writes gets every one", async () => {
    const dir = await makeTempDir("crash");
    const port = await freePort();
    let child = launchServer(port, dir.path);
    try {
      await serverReady(port, child);
      let nodes = await nodesOf(port);
      let from = 0n;
      for await (const e of nodes.watchNodes({}))
        if (e.type === common.EventType.BOOKMARK) {
          from = e.resourceVersion;
          break;
        }
      const names = Array.from({ length: 10 }, (_, i) => `hv-${i}`);
      for (const name of names)
        await nodes.registerNode(
          create(compute.RegisterNodeRequestSchema, {
            name,
            spec: {
              hostname: `${name}.lab`,
              managementIp: "10.0.0.5",
              agentAddress: "127.0.0.1:1",
              cpu: { sockets: 1, coresPerSocket: 4 },
              memoryMib: 8192n,
            },
          }),
        );
      // Straight after the last acknowledgement, before this replica may have relayed anything.
      child.kill("SIGKILL");
      await exited(child);

      child = launchServer(port, dir.path);
      await serverReady(port, child);
      nodes = await nodesOf(port);
      const abort = new AbortController();
      const created: string[] = [];
      const watching = (async () => {
        for await (const e of nodes.watchNodes({ resourceVersion: from }, { signal: abort.signal }))
          if (e.type === common.EventType.CREATED) created.push(e.node!.name);
      })().catch(() => undefined);
      const deadline = Date.now() + 20_000;
      while (created.length < names.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      abort.abort();
      await watching;
      expect(created).toEqual(names);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited(child);
      }
      await dir.remove();
    }
  }, 180_000);
});
