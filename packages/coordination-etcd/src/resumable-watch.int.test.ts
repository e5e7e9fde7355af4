import { type EtcdTestServer, startPrivateEtcd, testEtcd } from "@limiquantix/testkit";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, uniqueRoot } from "../test/support";
import { openEtcd } from "./client";
import { type KeyEvent, watchPrefix } from "./resumable-watch";

describe("watchPrefix", () => {
  let client: Etcd3;
  beforeAll(async () => {
    client = openEtcd({ endpoints: (await testEtcd()).endpoints });
  });
  afterAll(() => client.close());

  it("delivers puts and deletes under the prefix in revision order, and nothing outside it", async () => {
    const root = uniqueRoot();
    const seen: KeyEvent[] = [];
    const watch = watchPrefix(client, `${root}w/`, { onEvents: (events) => seen.push(...events) });
    await eventually(() => expect(watch.lastRevision()).toBeGreaterThan(0));
    await client.put(`${root}w/a`).value("1");
    await client.put(`${root}other`).value("x");
    await client.put(`${root}w/a`).value("2");
    await client.delete().key(`${root}w/a`);
    await eventually(() =>
      expect(seen.map((e) => `${e.type}:${e.value}`)).toEqual(["put:1", "put:2", "delete:"]),
    );
    expect(seen[0]!.version).toBe(1);
    expect(seen[1]!.version).toBe(2);
    const revisions = seen.map((e) => e.modRevision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    await watch.close();
  });

  it("replays changes made after afterRevision", async () => {
    const root = uniqueRoot();
    const first = await client.put(`${root}a`).value("1").exec();
    const from = Number(first.header.revision);
    await client.put(`${root}b`).value("2");
    const seen: string[] = [];
    const watch = watchPrefix(client, root, {
      afterRevision: from,
      onEvents: (es) => seen.push(...es.map((e) => e.key)),
    });
    await eventually(() => expect(seen).toEqual([`${root}b`]));
    await watch.close();
  });

  it("survives a throwing listener and reports the error", async () => {
    const root = uniqueRoot();
    const errors: unknown[] = [];
    let calls = 0;
    const watch = watchPrefix(client, root, {
      onEvents: () => {
        calls++;
        throw new Error("listener bug");
      },
      onError: (e) => errors.push(e),
    });
    await eventually(() => expect(watch.lastRevision()).toBeGreaterThan(0));
    await client.put(`${root}a`).value("1");
    await client.put(`${root}b`).value("1");
    await eventually(() => expect(calls).toBe(2));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    await watch.close();
  });
});

describe("watchPrefix across an etcd restart", () => {
  let server: EtcdTestServer;
  let client: Etcd3;
  beforeAll(async () => {
    server = await startPrivateEtcd();
    client = openEtcd({ endpoints: server.endpoints, callTimeoutMs: 1000 });
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it("resumes after the last delivered revision: nothing missed, nothing repeated", async () => {
    const seen: string[] = [];
    const watch = watchPrefix(client, "r/", { onEvents: (es) => seen.push(...es.map((e) => e.value)) });
    await eventually(() => expect(watch.lastRevision()).toBeGreaterThan(0));
    await client.put("r/k").value("before");
    await eventually(() => expect(seen).toEqual(["before"]));
    await server.stop();
    await server.start();
    // Written by another client as soon as etcd is back, possibly before the watch reconnects.
    const other = openEtcd({ endpoints: server.endpoints });
    await other.put("r/k").value("after-1");
    await other.put("r/k").value("after-2");
    other.close();
    await eventually(() => expect(seen).toEqual(["before", "after-1", "after-2"]), 20_000);
    await watch.close();
  }, 60_000);
});
