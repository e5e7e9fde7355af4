import {
  ErrorCode,
  type VirtualMachine,
  type VirtualNetwork,
  isDomainError,
  isLocallyAdministeredUnicast,
} from "@limiquantix/domain";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmCloneService } from "../compute/vm-clone-service";
import type { VmPowerService } from "../compute/vm-power-service";
import { allocateVmAddresses } from "./address-allocator";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";

let env: MemoryServices;
beforeEach(async () => {
  env = await startMemoryServices();
  await env.registerNode("n1", 64, 262_144);
});
afterEach(async () => {
  await env.close();
});

const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };

async function net(name: string, cidr: string, extra: Record<string, unknown> = {}) {
  return env.services.networks.createNetwork(env.ctx, {
    name,
    projectId: env.projectId,
    spec: { type: "OVERLAY", cidr, ...extra },
  });
}

function vm(
  name: string,
  nics: { name?: string; networkId: string; ipAddress?: string; macAddress?: string }[],
) {
  return env.services.vms.create(env.ctx, {
    projectId: env.projectId,
    name,
    spec: { ...small, nics: nics.map((n, i) => ({ name: `eth${i}`, ...n })) },
  });
}

async function failure(work: Promise<unknown>): Promise<{ code: string; message: string; fields: string[] }> {
  const e = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isDomainError(e)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return { code: e.code, message: e.message, fields: (e.details.fieldViolations ?? []).map((v) => v.field) };
}

const addresses = (v: VirtualMachine) => v.status.nics.map((n) => n.ipAddress);

describe("addresses per virtual network", () => {
  it("gives VMs on different networks addresses from their own CIDRs", async () => {
    const a = await net("net-a", "10.10.0.0/24", { gateway: "10.10.0.1" });
    const b = await net("net-b", "172.16.5.0/24");
    const onA = await vm("vm-a", [{ networkId: a.id }]);
    const onB = await vm("vm-b", [{ networkId: b.id }]);
    const onBoth = await vm("vm-ab", [{ networkId: a.id }, { networkId: b.id }]);
    expect(addresses(onA)).toEqual(["10.10.0.2"]);
    expect(addresses(onB)).toEqual(["172.16.5.1"]);
    expect(addresses(onBoth)).toEqual(["10.10.0.3", "172.16.5.2"]);
    expect((await env.services.vms.get(env.ctx, onBoth.id)).status.nics).toEqual(onBoth.status.nics);

    const stored = await env.services.networks.get(env.ctx, a.id);
    expect(Object.keys(stored.status.allocations)).toEqual(["10.10.0.2", "10.10.0.3"]);
    expect(stored.status.allocations["10.10.0.3"]).toMatchObject({ vmId: onBoth.id, nic: "eth0" });
  });

  it("allocates from the DHCP range and skips reserved ranges", async () => {
    const n = await net("pool", "10.20.0.0/24", {
      gateway: "10.20.0.1",
      dhcp: { rangeStart: "10.20.0.100", rangeEnd: "10.20.0.120" },
      reservedRanges: [{ start: "10.20.0.100", end: "10.20.0.104" }],
    });
    expect(addresses(await vm("first", [{ networkId: n.id }]))).toEqual(["10.20.0.105"]);
  });

  it("gives every NIC a stable locally administered MAC address, unique on its network, and keeps a MAC the user gave", async () => {
    const n = await net("macs", "10.30.0.0/24");
    const one = await vm("one", [{ networkId: n.id }, { networkId: n.id, macAddress: "52:54:00:00:00:07" }]);
    const [generated, given] = one.status.nics;
    expect(isLocallyAdministeredUnicast(generated!.macAddress)).toBe(true);
    expect(given!.macAddress).toBe("52:54:00:00:00:07");
    const dup = await failure(vm("two", [{ networkId: n.id, macAddress: "52:54:00:00:00:07" }]));
    expect(dup.code).toBe(ErrorCode.AlreadyExists);
    expect(dup.fields).toEqual(["spec.nics[0].macAddress"]);
  });

  it("honours a fixed address and refuses one outside the CIDR, reserved, or already held", async () => {
    const n = await net("fixed", "10.40.0.0/24", {
      gateway: "10.40.0.1",
      reservedRanges: [{ start: "10.40.0.10", end: "10.40.0.19" }],
    });
    const pinned = await vm("pinned", [{ networkId: n.id }, { networkId: n.id, ipAddress: "10.40.0.2" }]);
    // The fixed address is held first, so the other NIC is not given it.
    expect(addresses(pinned)).toEqual(["10.40.0.3", "10.40.0.2"]);

    const cases: [string, string, RegExp][] = [
      ["10.41.0.5", ErrorCode.InvalidArgument, /got 10\.41\.0\.5, which lies outside 10\.40\.0\.0\/24/],
      ["10.40.0.0", ErrorCode.InvalidArgument, /which is the network address/],
      ["10.40.0.255", ErrorCode.InvalidArgument, /which is the broadcast address/],
      ["10.40.0.1", ErrorCode.InvalidArgument, /which is the gateway/],
      [
        "10.40.0.15",
        ErrorCode.InvalidArgument,
        /which lies in the reserved range 10\.40\.0\.10–10\.40\.0\.19/,
      ],
      [
        "10.40.0.2",
        ErrorCode.AlreadyExists,
        /10\.40\.0\.2 is already held on network "fixed" by NIC eth1 of vm "pinned"/,
      ],
    ];
    for (const [ip, code, message] of cases) {
      const f = await failure(vm(`bad-${ip.replaceAll(".", "-")}`, [{ networkId: n.id, ipAddress: ip }]));
      expect(f.code, ip).toBe(code);
      expect(f.fields, ip).toEqual(["spec.nics[0].ipAddress"]);
      expect(f.message, ip).toMatch(message);
    }
    const twice = await failure(
      vm("twice", [
        { networkId: n.id, ipAddress: "10.40.0.50" },
        { networkId: n.id, ipAddress: "10.40.0.50" },
      ]),
    );
    expect(twice.code).toBe(ErrorCode.AlreadyExists);
    expect(twice.fields).toEqual(["spec.nics[1].ipAddress"]);
    // Refused creates hold nothing.
    expect(Object.keys((await env.services.networks.get(env.ctx, n.id)).status.allocations).sort()).toEqual([
      "10.40.0.2",
      "10.40.0.3",
    ]);
    expect(await env.adapters.repositories.vms.count({})).toBe(1);
  });

  it("releases a deleted VM's addresses (also on a forced delete) and hands them out again", async () => {
    const n = await net("reuse", "10.50.0.0/24", { gateway: "10.50.0.1" });
    const first = await vm("first", [{ networkId: n.id }]);
    const second = await vm("second", [{ networkId: n.id, ipAddress: "10.50.0.9" }]);
    await env.services.vms.delete(env.ctx, first.id);
    await env.services.power.start(env.ctx, second.id);
    await env.services.vms.delete(env.ctx, second.id, { force: true });
    expect((await env.services.networks.get(env.ctx, n.id)).status.allocations).toEqual({});
    expect(addresses(await vm("third", [{ networkId: n.id }]))).toEqual(["10.50.0.2"]);
    expect(addresses(await vm("fourth", [{ networkId: n.id, ipAddress: "10.50.0.9" }]))).toEqual([
      "10.50.0.9",
    ]);
  });

  it("lets exactly as many concurrent creates succeed as a /29 has addresses; the rest are ResourceExhausted naming the network and its size", async () => {
    const tiny = await net("tiny", "10.60.0.0/29", { gateway: "10.60.0.1" });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => vm(`c-${i}`, [{ networkId: tiny.id }])),
    );
    const ok = results.filter((r): r is PromiseFulfilledResult<VirtualMachine> => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(5);
    expect(new Set(ok.map((r) => r.value.status.nics[0]!.ipAddress)).size).toBe(5);
    for (const f of failed) {
      expect(f.reason).toMatchObject({ code: ErrorCode.ResourceExhausted });
      expect((f.reason as Error).message).toMatch(
        /network "tiny" \(10\.60\.0\.0\/29\) has no free address .*all 5 addresses of its pool are allocated/,
      );
    }
    const stored = await env.services.networks.get(env.ctx, tiny.id);
    expect(Object.keys(stored.status.allocations)).toHaveLength(5);
    expect(await env.adapters.repositories.vms.count({})).toBe(5);
  });

  it("refuses to write allocations over a network changed since it was read (Conflict), so a stale read never hands out a held address", async () => {
    const n = await net("stale", "10.65.0.0/29");
    const stale = await env.services.networks.get(env.ctx, n.id);
    const holder = await vm("holder", [{ networkId: n.id }]);
    const late = { ...holder, id: "late-vm", name: "late" };
    const err = await failure(
      env.adapters.unitOfWork.run((tx) => {
        const networks = {
          ...tx.networks,
          kind: tx.networks.kind,
          get: async (): Promise<VirtualNetwork> => stale,
          update: (next: VirtualNetwork) => tx.networks.update(next),
        };
        return allocateVmAddresses({ ...tx, networks }, late);
      }),
    );
    expect(err.code).toBe(ErrorCode.Conflict);
    expect(Object.keys((await env.services.networks.get(env.ctx, n.id)).status.allocations)).toEqual([
      holder.status.nics[0]!.ipAddress,
    ]);
  });

  it("gives a clone addresses of its own, and a clone that fails gives its addresses back", async () => {
    const n = await net("clones", "10.70.0.0/24", { gateway: "10.70.0.1" });
    const src = await vm("src", [
      { networkId: n.id, ipAddress: "10.70.0.50", macAddress: "52:54:00:aa:bb:cc" },
    ]);
    const copy = await env.services.clones.clone(env.ctx, src.id, "copy");
    expect(copy.spec.nics[0]?.ipAddress).toBeUndefined();
    expect(addresses(copy)).toEqual(["10.70.0.2"]);
    expect(copy.status.nics[0]?.macAddress).not.toBe("52:54:00:aa:bb:cc");

    const failingStart: Pick<VmPowerService, "start"> = {
      start: () => Promise.reject(new Error("agent gone")),
    };
    const clones = new VmCloneService(env.services.vms, env.services.volumes, failingStart as VmPowerService);
    await expect(clones.clone(env.ctx, src.id, "doomed", { start: true })).rejects.toThrow("agent gone");
    const held = Object.keys((await env.services.networks.get(env.ctx, n.id)).status.allocations).sort();
    expect(held).toEqual(["10.70.0.2", "10.70.0.50"]);
  });

  it("shows each NIC's address and the network's usage in the topology", async () => {
    const n = await net("topo", "10.80.0.0/28", { gateway: "10.80.0.1" });
    const v = await vm("v", [{ networkId: n.id }]);
    const [topo] = await env.services.networks.topologies(env.ctx, { networkId: n.id });
    expect(topo?.usage).toEqual({ size: 13, allocated: 1, free: 12 });
    expect(topo?.vms).toEqual([
      expect.objectContaining({
        id: v.id,
        nic: "eth0",
        ipAddress: "10.80.0.2",
        macAddress: v.status.nics[0]!.macAddress,
      }),
    ]);
  });

  it("refuses a network change that would take away an address a NIC holds", async () => {
    const n = await net("held", "10.90.0.0/24");
    await vm("holder", [{ networkId: n.id, ipAddress: "10.90.0.7" }]);
    const gatewayOnIt = await failure(
      env.services.networks.updateNetwork(env.ctx, n.id, (cur) => ({
        ...cur,
        spec: { ...cur.spec, gateway: "10.90.0.7" },
      })),
    );
    expect(gatewayOnIt.code).toBe(ErrorCode.FailedPrecondition);
    expect(gatewayOnIt.message).toMatch(
      /10\.90\.0\.7 \(NIC eth0 of VM .*\) is the gateway of 10\.90\.0\.0\/24/,
    );
    const reserved = await failure(
      env.services.networks.updateNetwork(env.ctx, n.id, (cur) => ({
        ...cur,
        spec: { ...cur.spec, reservedRanges: [{ start: "10.90.0.2", end: "10.90.0.9" }] },
      })),
    );
    expect(reserved.code).toBe(ErrorCode.FailedPrecondition);
    const fine = await env.services.networks.updateNetwork(env.ctx, n.id, (cur) => ({
      ...cur,
      spec: { ...cur.spec, gateway: "10.90.0.1" },
    }));
    expect(Object.keys(fine.status.allocations)).toEqual(["10.90.0.7"]);
  });
});
