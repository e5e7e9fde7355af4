import type { ServiceImpl } from "@connectrpc/connect";
import { storage } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import {
  imagePhaseCodec,
  imageSpecFromProto,
  imageSpecToProto,
  imageToProto,
} from "./convert/image";
import { listFilterOf, requireMessage } from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";

/** imageServiceImpl answers ImageService calls through the image service. */
export function imageServiceImpl(services: Services): ServiceImpl<typeof storage.ImageService> {
  const { images } = services;
  return {
    async createImage(req) {
      const spec = imageSpecFromProto(requireMessage(req.spec, "spec"));
      const projectId = optionalString(req.projectId);
      const created = await images.register({
        name: req.name,
        labels: req.labels,
        ...(projectId ? { projectId } : {}),
        spec,
      });
      return { image: imageToProto(created) };
    },

    async getImage(req) {
      return { image: imageToProto(await images.get(req.id)) };
    },

    async listImages(req) {
      const states = req.states.map((s, i) => imagePhaseCodec.required(s, `states[${i}]`));
      const filter = listFilterOf({ projectId: req.projectId }, req.labelSelector, states);
      const page = await images.list(filter, pageRequestOf(req));
      return { images: page.items.map(imageToProto), ...pageResponseOf(page) };
    },

    async updateImage(req) {
      const change = labelsAndSpecChange(req, {
        schema: storage.ImageSpecSchema,
        toProto: imageSpecToProto,
        fromProto: (spec) => imageSpecFromProto(spec),
      });
      return {
        image: imageToProto(await images.update(req.id, change, optionalVersion(req.resourceVersion))),
      };
    },

    async deleteImage(req) {
      await images.delete(req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  };
}
