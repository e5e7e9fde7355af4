import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import type { RunningServer } from "@limiquantix/server";

/**
 * adminPassword is the password of the embedded server's first admin: the one
 * LQX_BOOTSTRAP_ADMIN_PASSWORD set before the server started, else the one its first start
 * generated (`server.bootstrap`; in embedded mode also written to `<dataDir>/initial-admin-password`).
 */
export function adminPassword(server: RunningServer): string {
  const password = process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD || server.bootstrap?.generatedPassword;
  if (!password)
    throw new Error("this start created no admin: sign in with the password of an existing user instead");
  return password;
}

/**
 * signInAsAdmin logs in as `admin` with AuthService.Login (the one call that needs no token) and
 * returns an interceptor that sends the access token with every call. The token lasts 15 minutes
 * by default; a long-running program renews it with AuthService.Refresh.
 */
export async function signInAsAdmin(server: RunningServer): Promise<Interceptor> {
  const auth = createClient(
    iam.AuthService,
    createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
  );
  const { accessToken } = await auth.login({ username: "admin", password: adminPassword(server) });
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${accessToken}`);
    return next(req);
  };
}
