import { Code, ConnectError } from "@connectrpc/connect";
import { DomainError, ERROR_CODES, invalidArgument } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { agentErrorToDomain, CONNECT_CODES, domainErrorToConnect } from "./error-mapping";

describe("agent error mapping", () => {
  it("gives every domain code a Connect code, a stale version Aborted", () => {
    for (const code of ERROR_CODES) expect(Code[CONNECT_CODES[code]], code).toBeDefined();
    expect(CONNECT_CODES.Conflict).toBe(Code.Aborted);
  });

  it("brings every domain code back unchanged across the agent protocol", () => {
    for (const code of ERROR_CODES) {
      const back = agentErrorToDomain(domainErrorToConnect(new DomainError(code, "x")), "n1", "StartVM");
      expect(back.code, code).toBe(code);
    }
  });

  it("keeps field violations across the agent protocol", () => {
    const wire = domainErrorToConnect(
      invalidArgument([{ field: "spec.memoryMib", description: "must be at least 512" }]),
    );
    expect(wire.code).toBe(Code.InvalidArgument);
    expect(agentErrorToDomain(wire, "n1", "CreateVM").details.fieldViolations?.[0]?.field).toBe(
      "spec.memoryMib",
    );
  });

  it("reports a connection failure as Unavailable", () => {
    const refused = new ConnectError(
      "fetch failed",
      Code.Internal,
      undefined,
      undefined,
      Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    );
    expect(agentErrorToDomain(refused, "n1", "StartVM").code).toBe("Unavailable");
  });
});
