import { runRepositoryConformance } from "@limiquantix/domain/conformance";
import { afterAll } from "vitest";
import { BACKENDS, type OpenedStore } from "../test/harness";

// One migrated database per engine for the whole file: the suite scopes every read to what
// each test created, so tests may share it.
for (const backend of BACKENDS) {
  let opened: Promise<OpenedStore> | undefined;
  afterAll(async () => {
    await (await opened)?.close();
  });
  runRepositoryConformance(backend.name, async () => {
    opened ??= backend.open();
    const { store } = await opened;
    return { repos: store.repos, uow: store.uow, close: async () => {} };
  });
}
