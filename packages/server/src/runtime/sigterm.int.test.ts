import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { freePort, makeTempDir } from "@limiquantix/testkit";
import { describe, expect, it } from "vitest";
import { exited, launchServer as launch, serverReady as ready } from "../testing/server-process";
import { loginAs, TEST_ADMIN_PASSWORD, withBearer } from "../testing/signed-in";

/** projectsOf is a ProjectService client of the child on `port`, signed in as its admin. */
async function projectsOf(port: number) {
  const baseUrl = `http://127.0.0.1:${port}`;
  const token = await loginAs(baseUrl, "admin", TEST_ADMIN_PASSWORD);
  return createClient(
    iam.ProjectService,
    createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [withBearer(token)] }),
  );
}

describe("graceful shutdown", () => {
  it("loses no acknowledged write when SIGTERM arrives under load, and exits 0", async () => {
    const dir = await makeTempDir("sigterm");
    const port = await freePort();
    let child = launch(port, dir.path);
    try {
      await ready(port, child);
      const projects = await projectsOf(port);
      const acknowledged: string[] = [];
      let stop = false;
      let n = 0;
      let inFlight = 0;
      const worker = async () => {
        while (!stop) {
          const name = `p-${n++}`;
          inFlight++;
          try {
            const { project } = await projects.createProject({ name });
            acknowledged.push(project!.id);
          } catch {
            // Refused or cut off by the shutdown: not acknowledged, so nothing is promised.
            await new Promise((r) => setTimeout(r, 5));
          } finally {
            inFlight--;
          }
        }
      };
      const workers = Array.from({ length: 8 }, () => worker());
      while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
      const underLoad = inFlight;
      child.kill("SIGTERM");
      const code = await exited(child);
      stop = true;
      await Promise.all(workers);
      expect(code).toBe(0);
      // The signal arrived while writes were in flight, so the shutdown had something to drain.
      expect(underLoad).toBeGreaterThan(0);

      child = launch(port, dir.path);
      await ready(port, child);
      const restarted = await projectsOf(port);
      const stored = new Set<string>();
      let pageToken = "";
      do {
        const page = await restarted.listProjects({ pageSize: 1000, pageToken });
        for (const p of page.projects) stored.add(p.id);
        pageToken = page.nextPageToken;
      } while (pageToken);
      const lost = acknowledged.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited(child);
      }
      await dir.remove();
    }
  }, 180_000);
});
