import { storage } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import type { ImageService } from "./image-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { imagePhaseCodec, imageSpecFromProto, imageSpecToProto, imageToProto } from "./convert/image";
import { listFilterOf, requireMessage } from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";
import { convertedOnce } from "../events/convert/watch-event";

/** imageWire converts each object once, however many readers of the replica's copy it goes to. */
const imageWire = convertedOnce(imageToProto);

/** imageHandler answers ImageService calls through the image service. */
export function imageHandler(images: ImageService): RpcRoute {
  return route(storage.ImageService, {
    async createImage(ctx, req) {
      const spec = imageSpecFromProto(requireMessage(req.spec, "spec"));
      const projectId = optionalString(req.projectId);
      const created = await images.register(ctx, {
        name: req.name,
        labels: req.labels,
        ...(projectId ? { projectId } : {}),
        spec,
      });
      return { image: imageToProto(created) };
    },

    async getImage(ctx, req) {
      return { image: imageWire(await images.get(ctx, req.id)) };
    },

    async listImages(ctx, req) {
      const states = req.states.map((s, i) => imagePhaseCodec.required(s, `states[${i}]`));
      const filter = listFilterOf({ projectId: req.projectId }, req.labelSelector, states);
      const page = await images.list(ctx, filter, pageRequestOf(req));
      return { images: page.items.map(imageWire), ...pageResponseOf(page) };
    },

    async updateImage(ctx, req) {
      const change = labelsAndSpecChange(req, {
        schema: storage.ImageSpecSchema,
        toProto: imageSpecToProto,
        fromProto: (spec) => imageSpecFromProto(spec),
      });
      return {
        image: imageToProto(await images.update(ctx, req.id, change, optionalVersion(req.resourceVersion))),
      };
    },

    async deleteImage(ctx, req) {
      await images.delete(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  });
}
