import type { Interceptor } from "@connectrpc/connect";
import type { RunningServer } from "../runtime/server";

/** TEST_ADMIN_PASSWORD is the first admin's password servers started by tests get (LQX_BOOTSTRAP_ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = "correct-horse-battery-staple-1";

/** withBearer is an interceptor that sends an access token with every call. */
export function withBearer(token: string | (() => Promise<string>)): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${typeof token === "string" ? token : await token()}`);
    return next(req);
  };
}

/**
 * adminToken mints an hour-long access token of the server's `admin` user with the server's own
 * keys, for tests that exercise something other than signing in.
 */
export async function adminToken(server: RunningServer): Promise<string> {
  const admin = await server.services.deps.repos.users.findByName("admin");
  if (!admin) throw new Error("the server has no admin user");
  const { token } = await server.tokens.sign(
    { subject: admin.id, kind: "user", name: "admin", role: "admin", projects: [] },
    3600,
  );
  return token;
}

/** asAdmin is an interceptor that calls as the server's admin. */
export async function asAdmin(server: RunningServer): Promise<Interceptor> {
  return withBearer(await adminToken(server));
}

/** loginAs signs in through AuthService/Login over Connect JSON and returns the access token. */
export async function loginAs(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/limiquantix.iam.v1.AuthService/Login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { accessToken?: string; message?: string };
  if (!res.ok || !body.accessToken)
    throw new Error(`login as ${username} failed: ${res.status} ${body.message ?? ""}`);
  return body.accessToken;
}
