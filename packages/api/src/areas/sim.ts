// limiquantix.sim.v1: controls of the simulated nodes (SimulationService).
export * from "../gen/limiquantix/sim/v1/simulation_service_pb";
