import { Coordinator, type PortBinder } from "@limiquantix/domain";

/** bindEtcdCoordinator binds the Coordinator port to an etcd coordinator. */
export function bindEtcdCoordinator(binder: PortBinder, coordinator: Coordinator): void {
  binder.bind(Coordinator, coordinator);
}
