import type { PortBinder } from "@limiquantix/domain";
import { ContainerModule } from "inversify";

/**
 * portModule turns an adapter package's `bind…` function (which binds its ports through a
 * {@link PortBinder}) into a container module; a port bound again by a later module replaces the
 * earlier binding, so an integrator's module can swap one adapter.
 */
export function portModule(load: (binder: PortBinder) => void): ContainerModule {
  return new ContainerModule(({ bind, isBound, unbindSync }) => {
    load({
      bind(id, value) {
        if (isBound(id)) unbindSync(id);
        bind(id).toConstantValue(value);
      },
    });
  });
}
