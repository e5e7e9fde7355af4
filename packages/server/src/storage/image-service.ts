import type { Image, ImageInput } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";

/** ImageService manages boot images. Images are registered by reference and marked READY at once. */
export class ImageService extends CrudService<Image, ImageInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Image", deps.repos.images);
  }

  /** register stores an image; with no download step in the built-in backends it is READY immediately. */
  register(ctx: CallContext, input: Omit<ImageInput, "id" | "status">): Promise<Image> {
    return this.create(ctx, { ...input, status: { phase: "READY", progressPercent: 100 } });
  }
}
