import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { startEmbedded } from "./embed-server";

// Starts the control plane inside this program, creates a project through the ordinary API and
// shows the integrator's naming rule at work, then stops.
const server = await startEmbedded("acme");
try {
  const projects = createClient(iam.ProjectService, createGrpcTransport({ baseUrl: server.url }));
  const { project } = await projects.createProject({ name: "web" });
  console.log(`embedded control plane at ${server.url} created project "${project?.name}"`);
} finally {
  await server.stop();
}
