import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { compute, rpc } from "@limiquantix/api";
import { decodeCursor, notFound, pageLimit } from "@limiquantix/domain";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../observability/metrics";
import { observeCalls } from "./interceptors";

function vmClient(impl: Parameters<typeof createRouterTransport>[0]) {
  const metrics = createMetrics();
  const transport = createRouterTransport(impl, {
    router: { interceptors: [observeCalls(pino({ level: "silent" }), metrics)] },
  });
  return { vms: createClient(compute.VMService, transport), metrics };
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  return call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => ConnectError.from(e),
  );
}

describe("observeCalls", () => {
  it("counts calls with service and method as separate labels and the code as the wire names it", async () => {
    const { vms, metrics } = vmClient((router) =>
      router.service(compute.VMService, {
        getVM: (req) => {
          throw notFound("VirtualMachine", req.id);
        },
        listVMs: () => ({}),
      }),
    );
    await vms.listVMs({});
    expect((await failure(vms.getVM({ id: "vm-9" }))).code).toBe(Code.NotFound);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'limiquantix_rpc_requests_total{service="limiquantix.compute.v1.VMService",method="GetVM",code="not_found"} 1',
    );
    expect(text).toContain(
      'limiquantix_rpc_requests_total{service="limiquantix.compute.v1.VMService",method="ListVMs",code="ok"} 1',
    );
  });

  it("names a list call's paging fields as the wire does: page_size and page_token", async () => {
    const { vms } = vmClient((router) =>
      router.service(compute.VMService, {
        listVMs: (req) => {
          if (req.pageToken !== "") decodeCursor(req.pageToken, "VirtualMachine");
          pageLimit({ limit: req.pageSize });
          return {};
        },
      }),
    );
    const badToken = await failure(vms.listVMs({ pageSize: 10, pageToken: "nonsense" }));
    expect(badToken.rawMessage).toBe("page_token is not a cursor returned by this list");
    expect(badToken.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("page_token");
    const badSize = await failure(vms.listVMs({ pageSize: -3 }));
    expect(badSize.rawMessage).toMatch(/^page_size must be an integer from 1 to 1000/);
  });

  it("sends the request id back, the client's when it is sane", async () => {
    const { vms } = vmClient((router) => router.service(compute.VMService, { getVM: () => ({}) }));
    const echoed = async (id: string) => {
      let seen: string | null = null;
      await vms.getVM(
        { id: "vm-1" },
        {
          headers: { "x-request-id": id },
          onHeader: (h) => {
            seen = h.get("x-request-id");
          },
        },
      );
      return seen;
    };
    expect(await echoed("trace-42")).toBe("trace-42");
    expect(await echoed("bad id with spaces")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
