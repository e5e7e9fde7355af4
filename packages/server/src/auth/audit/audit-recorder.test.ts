import {
  type AuditEntry,
  type AuditRepository,
  currentCallAttribution,
  systemClock,
} from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { systemContext } from "../../context/call-context";
import { runInCallScope } from "../../context/call-scope";
import { AuditRecorder } from "./audit-recorder";

/** recorder returns an AuditRecorder over a log that keeps what is appended and refuses an id twice. */
function recorder() {
  const appended: AuditEntry[] = [];
  const audit = {
    async append(entry: AuditEntry) {
      if (appended.some((e) => e.id === entry.id))
        throw Object.assign(new Error("exists"), { code: "AlreadyExists" });
      appended.push(entry);
    },
  } as unknown as AuditRepository;
  let n = 0;
  const ids = { next: () => `id-${++n}` };
  return { appended, rec: new AuditRecorder(audit, ids, systemClock, pino({ level: "silent" })) };
}

describe("AuditRecorder", () => {
  it("stores a call's entry when it ends unless the store said a committed write of the call stored it", async () => {
    const { appended, rec } = recorder();
    const told = fixtures.auditEntry({ action: "svc/Told" });
    const untold = fixtures.auditEntry({ action: "svc/Untold" });
    await runInCallScope({ ...systemContext("test"), audit: told }, async () => {
      currentCallAttribution()?.auditStored?.();
      await rec.succeeded(told);
    });
    await runInCallScope({ ...systemContext("test"), audit: untold }, () => rec.succeeded(untold));
    expect(appended.map((e) => e.action)).toEqual(["svc/Untold"]);
  });

  it("stores the failure entry of a call whose write stored its success entry and then failed", async () => {
    const { appended, rec } = recorder();
    const entry = fixtures.auditEntry({ action: "svc/Failed" });
    await runInCallScope({ ...systemContext("test"), audit: entry }, async () => {
      currentCallAttribution()?.auditStored?.();
      await rec.failed(entry, new Error("boom"));
    });
    expect(appended.map((e) => [e.action, e.outcome])).toEqual([["svc/Failed", "FAILURE"]]);
  });
});
