import { ErrorCode, hasErrorCode } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { testCsr } from "../../testing/node-csr";
import { MAX_CSR_BYTES, parseNodeCsr } from "./node-csr";

/** refusal returns the description of the csr_pem violation a request is refused with. */
function refusal(pem: string): string {
  try {
    parseNodeCsr(pem);
  } catch (e) {
    expect(hasErrorCode(e, ErrorCode.InvalidArgument)).toBe(true);
    const violations = (e as { details?: { fieldViolations?: { field: string; description: string }[] } })
      .details?.fieldViolations;
    expect(violations?.map((v) => v.field)).toEqual(["csr_pem"]);
    return violations?.[0]?.description ?? "";
  }
  throw new Error("the request was accepted");
}

describe("parseNodeCsr", () => {
  it("accepts requests for RSA 2048, EC P-256 and Ed25519 keys, taking their public key", () => {
    for (const kind of ["rsa-2048", "ec-p256", "ed25519"] as const) {
      const csr = parseNodeCsr(testCsr(kind).csrPem);
      expect(csr.publicKey.asymmetricKeyType).toBe(kind === "rsa-2048" ? "rsa" : kind.split("-")[0]);
    }
  });

  it("refuses keys that are too weak or on another curve, saying what to use", () => {
    expect(refusal(testCsr("rsa-1024").csrPem)).toMatch(/RSA key of 1024 bits: use 2048 to 8192/);
    expect(refusal(testCsr("ec-p384").csrPem)).toMatch(/secp384r1: use P-256/);
  });

  it("refuses a request whose signature does not verify with its own key", () => {
    expect(refusal(testCsr("ec-p256", { tamper: true }).csrPem)).toMatch(/signature that does not verify/);
    expect(refusal(testCsr("rsa-2048", { tamper: true }).csrPem)).toMatch(/signature that does not verify/);
  });

  it("refuses what is not one PEM certificate request, or is too large", () => {
    expect(refusal("")).toMatch(/must be one PEM block/);
    expect(refusal("hello")).toMatch(/must be one PEM block/);
    const garbage = "-----BEGIN CERTIFICATE REQUEST-----\nAAECAwQ=\n-----END CERTIFICATE REQUEST-----\n";
    expect(refusal(garbage)).toMatch(/is not a PKCS#10 certificate request/);
    const two = testCsr("ed25519").csrPem + testCsr("ed25519").csrPem;
    expect(refusal(two)).toMatch(/must be one PEM block|not a PKCS#10/);
    expect(refusal(`${testCsr("ed25519").csrPem}${" ".repeat(MAX_CSR_BYTES)}`)).toMatch(
      /at most 16384 bytes/,
    );
  });
});
