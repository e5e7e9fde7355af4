import { Container, ContainerModule } from "inversify";
import type { PortBinder, ServiceIdentifier } from "@limiquantix/domain";
import type { AdapterModule } from "./backends";

/** buildContainer makes an inversify container with one module per adapter package, each binding its ports. */
export function buildContainer(modules: readonly AdapterModule[]): Container {
  const container = new Container();
  for (const m of modules) {
    container.loadSync(
      new ContainerModule((options) => {
        const binder: PortBinder = {
          bind(id, value) {
            if (options.isBound(id)) options.unbindSync(id);
            options.bind(id).toConstantValue(value);
          },
        };
        m.load(binder);
      }),
    );
  }
  return container;
}

/** resolve reads a port from the container, typed by its service identifier. */
export function resolve<T>(container: Container, id: ServiceIdentifier<T>): T {
  return container.get<T>(id);
}
