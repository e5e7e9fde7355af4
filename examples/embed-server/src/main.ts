import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { startEmbedded } from "./embed-server";
import { signInAsAdmin } from "./sign-in";

// Starts the control plane inside this program, signs in as its first admin, creates a project
// through the ordinary API and shows the integrator's naming rule at work, then stops.
const server = await startEmbedded("acme");
try {
  const auth = await signInAsAdmin(server);
  const projects = createClient(
    iam.ProjectService,
    createGrpcTransport({ baseUrl: server.url, interceptors: [auth] }),
  );
  const { project } = await projects.createProject({ name: "web" });
  console.log(`embedded control plane at ${server.url} created project "${project?.name}"`);
} finally {
  await server.stop();
}
