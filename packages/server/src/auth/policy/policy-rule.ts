import type { ResourceKind, Role } from "@limiquantix/domain";

/** ROLE_RANK orders the roles: a role may do everything a lower one may. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/** ProjectTarget says how a call names the project its work belongs to. */
export type ProjectTarget =
  /** The request names the project in this field (`projectId`); a list, watch or create. */
  | { readonly by: "project"; readonly field: string }
  /** The request names a resource of `kind` by id in this field; its project decides. */
  | { readonly by: "resource"; readonly kind: ResourceKind; readonly field: string };

/**
 * PolicyRule is what one RPC needs from its caller:
 * - `public`: nothing (Login, Refresh, Logout present their own credentials);
 * - `authenticated`: any signed-in principal (WhoAmI);
 * - `self`: the user named by the request's `id`, or an admin (reading oneself, changing one's password);
 * - `node`: a node agent speaking for itself (the request's `nodeId` is its own), or an admin — heartbeats;
 * - `cluster`: a cluster-wide role of at least `need`; a `catalog` read is also open to every
 *   member of any project (clusters, nodes, pools and images are what projects build on);
 * - `project`: a role of at least `need` in the project of the call's target, or a cluster-wide one.
 * `audited` marks the calls that change something: they and every denied call write an audit entry.
 */
export type PolicyRule =
  | { readonly access: "public"; readonly audited: boolean }
  | { readonly access: "authenticated"; readonly audited: boolean }
  | { readonly access: "self"; readonly audited: boolean }
  | { readonly access: "node"; readonly audited: boolean }
  | {
      readonly access: "cluster";
      readonly need: Role;
      readonly audited: boolean;
      readonly catalog?: boolean;
      /** The kind the call is about, for the audit log. */
      readonly kind?: ResourceKind;
    }
  | {
      readonly access: "project";
      readonly need: Role;
      readonly audited: boolean;
      readonly target: ProjectTarget;
      /** The kind the call is about, for the audit log (the target's kind by default). */
      readonly kind?: ResourceKind;
    };
