import { z } from "zod";
import { Id, Labels, ResourceVersion, Timestamp } from "../common";

/** Role is what a user may do: admin everything, operator change resources, viewer read. */
export const Role = z.enum(["admin", "operator", "viewer"]);
/** Role is what a user may do. */
export type Role = z.infer<typeof Role>;

/** UserRole is a user's cluster-wide role, or `none` for a user that acts only through its project memberships. */
export const UserRole = z.enum([...Role.options, "none"]);
/** UserRole is a user's cluster-wide role, or `none`. */
export type UserRole = z.infer<typeof UserRole>;

/** Username is 1–64 lowercase letters, digits, '.', '_' or '-'. */
export const Username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { message: "must be lowercase letters, digits, '.', '_' or '-'" });

/** User is a person or service account that calls the API. */
export const User = z.strictObject({
  id: Id,
  resourceVersion: ResourceVersion,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  labels: Labels.default({}),
  username: Username,
  email: z.email({ message: "must be an email address" }),
  displayName: z.string().max(128).default(""),
  role: UserRole,
  projectMemberships: z
    .array(z.strictObject({ projectId: Id, role: Role }))
    .max(256)
    .default([]),
  /** An opaque password hash (scrypt, argon2 …); never the password. */
  passwordHash: z.string().max(512).optional(),
  disabled: z.boolean().default(false),
  lastLoginAt: Timestamp.optional(),
});
/** User is a person or service account. */
export type User = z.infer<typeof User>;
