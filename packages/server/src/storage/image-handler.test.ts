import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { storage } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectRpcError } from "../rpc/rpc-test-support";

let h: RpcHarness;
let images: ReturnType<typeof h.client<typeof storage.ImageService>>;
beforeAll(async () => {
  h = await startRpcHarness();
  images = h.client(storage.ImageService);
});
afterAll(async () => {
  await h.close();
});

const spec = (
  init: {
    format?: storage.ImageFormat;
    osFamily?: storage.OsFamily;
    sourceUrl?: string;
    minDiskGib?: bigint;
  } = {},
) =>
  create(storage.ImageSpecSchema, {
    format: storage.ImageFormat.QCOW2,
    osName: "debian-12",
    sourceUrl: "https://images.example.org/debian-12.qcow2",
    ...init,
  });

describe("ImageService over Connect", () => {
  it("registers, reads, lists, updates and deletes an image", async () => {
    const { image } = await images.createImage({ name: "debian", labels: { os: "debian" }, spec: spec() });
    expect(image?.status?.phase).toBe(storage.ImagePhase.READY);
    expect(image?.status?.progressPercent).toBe(100);
    expect(image?.spec?.osFamily).toBe(storage.OsFamily.LINUX);
    expect(image?.spec?.minDiskGib).toBe(1n);
    expect(image?.projectId).toBe("");

    expect((await images.getImage({ id: image!.id })).image?.spec?.osName).toBe("debian-12");
    await images.createImage({
      name: "bsd",
      projectId: h.projectId,
      spec: spec({ osFamily: storage.OsFamily.BSD }),
    });
    const listed = await images.listImages({
      labelSelector: "os=debian",
      states: [storage.ImagePhase.READY],
    });
    expect(listed.images.map((i) => i.name)).toEqual(["debian"]);
    expect((await images.listImages({ projectId: h.projectId })).images.map((i) => i.name)).toEqual(["bsd"]);

    const { image: updated } = await images.updateImage({
      id: image!.id,
      resourceVersion: image!.resourceVersion,
      spec: spec({ minDiskGib: 20n }),
      updateMask: { paths: ["spec.min_disk_gib", "labels"] },
    });
    expect(updated?.spec?.minDiskGib).toBe(20n);
    expect(updated?.spec?.osName).toBe("debian-12");
    expect(updated?.labels).toEqual({});

    await images.deleteImage({ id: image!.id, resourceVersion: updated!.resourceVersion });
    await expectRpcError(images.getImage({ id: image!.id }), Code.NotFound);
  });

  it("refuses a missing spec, an unspecified format and a source that is not an http(s) URL", async () => {
    await expectRpcError(images.createImage({ name: "nospec" }), Code.InvalidArgument, "spec");
    await expectRpcError(
      images.createImage({ name: "noformat", spec: spec({ format: storage.ImageFormat.UNSPECIFIED }) }),
      Code.InvalidArgument,
      "spec.format",
    );
    await expectRpcError(
      images.createImage({ name: "ftp", spec: spec({ sourceUrl: "ftp:/nowhere" }) }),
      Code.InvalidArgument,
      "spec.source_url",
    );
    await expectRpcError(
      images.createImage({ name: "oddos", spec: spec({ osFamily: 12 as storage.OsFamily }) }),
      Code.InvalidArgument,
      "spec.os_family",
    );
  });

  it("refuses a duplicate name with AlreadyExists and a stale resource_version with Aborted", async () => {
    const { image } = await images.createImage({ name: "alpine", spec: spec() });
    await expectRpcError(images.createImage({ name: "alpine", spec: spec() }), Code.AlreadyExists);
    await images.updateImage({ id: image!.id, labels: { a: "b" } });
    await expectRpcError(
      images.updateImage({ id: image!.id, resourceVersion: image!.resourceVersion, labels: { a: "c" } }),
      Code.Aborted,
    );
    await expectRpcError(
      images.deleteImage({ id: image!.id, resourceVersion: image!.resourceVersion }),
      Code.Aborted,
    );
  });

  it("answers over gRPC", async () => {
    const grpcImages = h.client(storage.ImageService, h.grpc);
    await expectRpcError(grpcImages.getImage({ id: "missing" }), Code.NotFound);
  });
});
