import { Code, ConnectError } from "@connectrpc/connect";
import { compute, events } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
afterEach(async () => {
  await h?.close();
});

const small = { vcpus: 1, memoryMib: 512n };

describe("EventService", () => {
  it("tells a VM's lifecycle: created, started, stopped, migrated, deleted — newest first, paged, filtered", async () => {
    h = await startRpcHarness();
    const a = await h.registerNode("a", 4, 16384);
    const b = await h.registerNode("b", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    const ev = h.client(events.EventService, h.grpc);
    const { vm } = await vms.createVM(
      { projectId: h.projectId, name: "web", spec: small },
      { headers: { "x-request-id": "make-web" } },
    );
    await vms.startVM({ id: vm!.id });
    await eventually(async () =>
      expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
    );
    const target = vm!.status!.nodeId === a ? b : a;
    await vms.migrateVM({ id: vm!.id, targetNodeId: target, live: true });
    await vms.stopVM({ id: vm!.id, mode: compute.StopMode.FORCE });
    await eventually(async () =>
      expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.STOPPED),
    );
    await vms.deleteVM({ id: vm!.id });
    const reasons = async () =>
      (await ev.listEvents({ kinds: ["VirtualMachine"], resourceId: vm!.id })).events
        .map((e) => e.reason)
        .reverse();
    await eventually(async () =>
      expect(await reasons()).toEqual(["VmCreated", "VmStarted", "VmMigrated", "VmStopped", "VmDeleted"]),
    );
    const created = (await ev.listEvents({ resourceId: vm!.id })).events.at(-1)!;
    expect(created).toMatchObject({
      kind: "VirtualMachine",
      resourceName: "web",
      projectId: h.projectId,
      requestId: "make-web",
      severity: events.Severity.INFO,
    });
    // Paged, newest first.
    const first = await ev.listEvents({ resourceId: vm!.id, pageSize: 2 });
    expect(first.events.map((e) => e.reason)).toEqual(["VmDeleted", "VmStopped"]);
    const second = await ev.listEvents({ resourceId: vm!.id, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.events.map((e) => e.reason)).toEqual(["VmMigrated", "VmStarted"]);
    expect(first.totalCount).toBe(5);
  });

  it("filters by severity, and streams what happens after it opens", async () => {
    h = await startRpcHarness();
    const nodes = h.client(compute.NodeService, h.grpc);
    const ev = h.client(events.EventService, h.grpc);
    const abort = new AbortController();
    const got: events.Event[] = [];
    // From the revision before anything happened, so the stream misses nothing however late it opens.
    const from = BigInt(await h.adapters.changeLog.head());
    const streaming = (async () => {
      for await (const r of ev.streamEvents(
        { kinds: ["Node"], resourceVersion: from },
        { signal: abort.signal },
      ))
        got.push(r.event!);
    })().catch((e: unknown) => {
      if (ConnectError.from(e).code !== Code.Canceled) throw e;
    });
    const id = await h.registerNode("n1", 4, 16384);
    await nodes.cordonNode({ id });
    await eventually(() => expect(got.map((e) => e.reason)).toEqual(["NodeRegistered", "NodeCordoned"]));
    abort.abort();
    await streaming;
    // Node health marks it NOT_READY: a warning.
    await h.services.nodes.setPhase(h.ctx, id, "NOT_READY", "no heartbeat");
    await eventually(async () =>
      expect(
        (await ev.listEvents({ minSeverity: events.Severity.WARNING })).events.map((e) => e.reason),
      ).toEqual(["NodeNotReady"]),
    );
  });

  it("resumes a stream after the last event it gave, without repeating it", async () => {
    h = await startRpcHarness();
    const ev = h.client(events.EventService, h.grpc);
    await h.registerNode("n1", 4, 16384);
    await h.registerNode("n2", 4, 16384);
    await eventually(async () => expect((await ev.listEvents({ kinds: ["Node"] })).events).toHaveLength(2));
    const [newest, oldest] = (await ev.listEvents({ kinds: ["Node"] })).events;
    const abort = new AbortController();
    const got: string[] = [];
    const streaming = (async () => {
      for await (const r of ev.streamEvents(
        { kinds: ["Node"], resourceVersion: oldest!.resourceVersion },
        { signal: abort.signal },
      ))
        got.push(r.event!.id);
    })().catch(() => undefined);
    await eventually(() => expect(got).toEqual([newest!.id]));
    abort.abort();
    await streaming;
  });
});
