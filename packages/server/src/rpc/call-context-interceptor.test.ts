import { createClient, createRouterTransport } from "@connectrpc/connect";
import { iam } from "@limiquantix/api";
import { currentCallSignal } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema";
import type { CallContext } from "../context/call-context";
import { deadlineOf, withCallContext } from "./call-context-interceptor";
import { route } from "./route";

/** transportSeeing serves ProjectService.GetProject with a handler that reports the context it was given. */
function transportSeeing(seen: (ctx: CallContext, signal: AbortSignal | undefined) => void | Promise<void>) {
  const r = route(iam.ProjectService, {
    async getProject(ctx) {
      await seen(ctx, currentCallSignal());
      return { project: { id: "p", name: "p" } };
    },
  });
  return createRouterTransport(({ service }) => service(r.service, r.impl), {
    router: { interceptors: [withCallContext()] },
  });
}

describe("call context", () => {
  it("gives each call a request id (the client's when sane), an anonymous principal and its deadline", async () => {
    const contexts: CallContext[] = [];
    const client = createClient(
      iam.ProjectService,
      transportSeeing((ctx) => void contexts.push(ctx)),
    );
    await client.getProject({ id: "p" }, { headers: { "x-request-id": "req-42" }, timeoutMs: 30_000 });
    await client.getProject({ id: "p" }, { headers: { "x-request-id": "no spaces allowed" } });
    expect(contexts[0]!.requestId).toBe("req-42");
    expect(contexts[0]!.principal.kind).toBe("anonymous");
    expect(contexts[0]!.deadline!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(contexts[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(contexts[1]!.deadline).toBeUndefined();
  });

  it("makes the call's signal the one adapters see, aborted when the client leaves mid-call", async () => {
    let during: AbortSignal | undefined;
    let release: () => void = () => undefined;
    const client = createClient(
      iam.ProjectService,
      transportSeeing(async (ctx, signal) => {
        during = signal;
        expect(signal).toBe(ctx.signal);
        await new Promise<void>((resolve) => {
          release = resolve;
          ctx.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }),
    );
    const leaving = new AbortController();
    const call = client.getProject({ id: "p" }, { signal: leaving.signal }).catch(() => "cancelled");
    await new Promise((r) => setTimeout(r, 20));
    leaving.abort();
    expect(await call).toBe("cancelled");
    await new Promise((r) => setTimeout(r, 20));
    expect(during?.aborted).toBe(true);
    release();
    expect(currentCallSignal()).toBeUndefined();
  });

  it("keeps the signal of a call that answered unaborted, so work it started is not cancelled with it", async () => {
    let kept: AbortSignal | undefined;
    const client = createClient(
      iam.ProjectService,
      transportSeeing((ctx) => {
        kept = ctx.signal;
      }),
    );
    await client.getProject({ id: "p" });
    await new Promise((r) => setTimeout(r, 20));
    expect(kept?.aborted).toBe(false);
  });

  it("reads Connect and gRPC deadlines", () => {
    const now = 1_000_000;
    expect(deadlineOf(new Headers({ "connect-timeout-ms": "1500" }), now)?.getTime()).toBe(now + 1500);
    expect(deadlineOf(new Headers({ "grpc-timeout": "2S" }), now)?.getTime()).toBe(now + 2000);
    expect(deadlineOf(new Headers({ "grpc-timeout": "250m" }), now)?.getTime()).toBe(now + 250);
    expect(deadlineOf(new Headers({ "grpc-timeout": "soon" }), now)).toBeUndefined();
  });

  it("listens on loopback unless told otherwise", () => {
    expect(ConfigSchema.parse({}).server.host).toBe("127.0.0.1");
  });
});
