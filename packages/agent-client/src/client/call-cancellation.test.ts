import {
  currentCallSignal,
  type DomainError,
  installCallSignalSource,
  isDomainError,
} from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../certs/test-pki";
import { type SimAgent, startSimAgent } from "../sim/sim-agent";
import { AgentClientPool } from "./agent-client-pool";

let pki: TestPki;
let agent: SimAgent;
let pool: AgentClientPool;
let restore: () => void;
let callSignal: AbortSignal | undefined;

beforeAll(async () => {
  pki = createTestPki();
  agent = await startSimAgent({
    nodeId: "n1",
    cpu: 8,
    memoryMib: 8192,
    tls: pki.nodeCertificate("n1"),
    port: 0,
    bootDelayMs: 5,
  });
  pool = new AgentClientPool({
    tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key },
    callTimeoutMs: 10_000,
    retry: { attempts: 3, baseDelayMs: 5 },
    breaker: { failureThreshold: 1, coolDownMs: 60_000 },
  });
  await pool.connect({ nodeId: "n1", address: agent.address, serverName: "n1" });
  const previous = installCallSignalSource(() => callSignal);
  restore = () => installCallSignalSource(previous);
});

afterAll(async () => {
  restore();
  await pool.close();
  await agent.stop();
});

describe("agent calls made while serving a call", () => {
  it("are cancelled when that call's client goes away, without tripping the breaker", async () => {
    agent.faults.setLatency(5_000);
    const caller = new AbortController();
    callSignal = caller.signal;
    expect(currentCallSignal()).toBe(caller.signal);
    const started = Date.now();
    const call = pool.agent("n1").getNodeInfo();
    callSignal = undefined;
    setTimeout(() => caller.abort(), 100);
    const err = (await call.then(
      () => undefined,
      (e: unknown) => e,
    )) as DomainError;
    expect(isDomainError(err)).toBe(true);
    expect(err.details.cancelled).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A breaker with a threshold of one failure would now be open had the cancel counted.
    agent.faults.setLatency(0);
    expect((await pool.agent("n1").getNodeInfo()).nodeId).toBe("n1");
  });
});
