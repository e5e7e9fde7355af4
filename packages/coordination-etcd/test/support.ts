import { randomUUID } from "node:crypto";
import { testEtcd } from "@limiquantix/testkit";
import { Etcd3 } from "etcd3";
import { type EtcdCoordinator, type EtcdCoordinatorOptions, createEtcdCoordinator } from "../src/coordinator";

/** uniqueRoot gives each test a key namespace of its own on the shared server. */
export function uniqueRoot(): string {
  return `lqx-test/${randomUUID().slice(0, 8)}/`;
}

/** layout builds the prefixes of a coordinator under root. */
export function layout(
  root: string,
): Pick<EtcdCoordinatorOptions, "electionPrefix" | "lockPrefix" | "nodePrefix"> {
  return { electionPrefix: `${root}elections/`, lockPrefix: `${root}locks/`, nodePrefix: `${root}nodes/` };
}

/** coordinatorOnTestEtcd opens a coordinator on the test server under root. */
export async function coordinatorOnTestEtcd(
  root: string,
  options: Partial<EtcdCoordinatorOptions> = {},
): Promise<EtcdCoordinator> {
  const server = await testEtcd();
  return createEtcdCoordinator({
    endpoints: server.endpoints,
    leaseTtlMs: 4000,
    ...layout(root),
    ...options,
  });
}

/** sleep waits ms milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** eventually retries an assertion until it passes or the time runs out. */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

/** countKeys counts the keys under prefix, e.g. the contenders queued in an election. */
export async function countKeys(endpoints: readonly string[], prefix: string): Promise<number> {
  const raw = new Etcd3({ hosts: [...endpoints] });
  try {
    return await raw.getAll().prefix(prefix).count();
  } finally {
    raw.close();
  }
}
