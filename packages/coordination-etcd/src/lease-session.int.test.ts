import { ErrorCode } from "@limiquantix/domain";
import { testEtcd } from "@limiquantix/testkit";
import type { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sleep, uniqueRoot } from "../test/support";
import { openEtcd } from "./client";
import { LeaseSession } from "./lease-session";

let client: Etcd3;
beforeAll(async () => {
  client = openEtcd({ endpoints: (await testEtcd()).endpoints });
});
afterAll(() => client.close());

const grant = (ttlMs: number) => LeaseSession.grant(client, { ttlMs, callTimeoutMs: 2000 });

describe("LeaseSession", () => {
  it("names its lease in hex, as etcd's recipes do", async () => {
    const s = await grant(2000);
    expect(s.hexId).toBe(BigInt(s.id).toString(16));
    await s.revoke();
  });

  it("keeps its lease (and keys) alive well past the TTL while etcd answers", async () => {
    const s = await grant(1000);
    const key = `${uniqueRoot()}k`;
    await client.kv.put({ key: Buffer.from(key), value: Buffer.from("v"), lease: s.id });
    await sleep(3000);
    expect(s.signal.aborted).toBe(false);
    expect(await client.get(key).string()).toBe("v");
    await s.revoke();
    expect(await client.get(key).string()).toBeNull();
    expect(s.signal.aborted).toBe(true);
  });

  it("aborts promptly when the lease is revoked by someone else", async () => {
    const s = await grant(4000);
    await client.leaseClient.leaseRevoke({ ID: s.id });
    await eventually(() => expect(s.signal.aborted).toBe(true), 3000);
    expect((s.signal.reason as { code: string }).code).toBe(ErrorCode.FailedPrecondition);
  });

  it("rejects a bad TTL or step-down ratio with InvalidArgument", async () => {
    await expect(grant(0)).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(
      LeaseSession.grant(client, { ttlMs: 2000, callTimeoutMs: 1000, stepDownRatio: 1.5 }),
    ).rejects.toThrow(/stepDownRatio must be between 0 and 1/);
  });
});
