import { afterEach, beforeEach, describe } from "vitest";
import { auditSuite } from "./repository/audit-suite";
import { callAuditSuite } from "./repository/call-audit-suite";
import type { RepositoryHarness } from "./repository/harness";
import { KIND_CASES } from "./repository/kind-cases";
import { kindSuite } from "./repository/kind-suite";
import { querySuite } from "./repository/query-suite";
import { specialSuite } from "./repository/special-suite";
import { unitOfWorkSuite } from "./repository/unit-of-work-suite";

export type { RepositoryHarness } from "./repository/harness";

/**
 * runRepositoryConformance registers the repository conformance suite for an adapter: CRUD,
 * versioning, uniqueness, validation and every filter of every kind; label selectors;
 * pagination; the engines' special methods; the audit log, its retention and the entries that
 * writes store for audited calls; and the unit of work. Each test gets a fresh harness from
 * makeHarness and closes it afterwards. Tests scope what they read to what they created, so a
 * harness may also share one database between tests.
 */
export function runRepositoryConformance(
  adapter: string,
  makeHarness: () => Promise<RepositoryHarness>,
): void {
  describe(`Repository conformance: ${adapter}`, () => {
    let current: RepositoryHarness | undefined;
    beforeEach(async () => {
      current = await makeHarness();
    });
    afterEach(async () => {
      const h = current;
      current = undefined;
      await h?.close();
    });
    const harness = (): RepositoryHarness => {
      if (!current) throw new Error("the conformance harness is not ready (was makeHarness awaited?)");
      return current;
    };
    describe("every kind", () => {
      for (const kase of KIND_CASES) kindSuite(kase, harness);
    });
    querySuite(harness);
    specialSuite(harness);
    auditSuite(harness);
    callAuditSuite(harness);
    unitOfWorkSuite(harness);
  });
}
