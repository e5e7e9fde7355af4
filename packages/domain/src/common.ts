import { z } from "zod";

/** DNS_LABEL is the pattern of resource names: lowercase letters, digits and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Id is a resource identifier: 1–64 characters of letters, digits, '.', '_' or '-'. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: "must be an id of letters, digits, '.', '_' or '-'" });

/** Name is a resource name: a DNS label of 1–63 characters. */
export const Name = z.string().min(1).max(63).regex(DNS_LABEL, {
  message:
    "must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit",
});

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** isLabelKey says whether a string is a valid label key (`[prefix/]name`, as Kubernetes defines it). */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return false;
  return name.length >= 1 && name.length <= 63 && LABEL_NAME.test(name);
}

/** isLabelValue says whether a string is a valid label value (empty, or up to 63 label characters). */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && LABEL_NAME.test(value));
}

/** LabelKey is a label key: an optional DNS-subdomain prefix and '/', then a name of up to 63 characters. */
export const LabelKey = z.string().refine(isLabelKey, {
  message: "must be a label key: [prefix/]name, name 1–63 letters, digits, '-', '_' or '.'",
});

/** LabelValue is a label value: empty or up to 63 letters, digits, '-', '_' or '.'. */
export const LabelValue = z.string().refine(isLabelValue, {
  message:
    "must be a label value: up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
});

/** Labels are the key/value pairs selectors match on (at most 64). */
export const Labels = z
  .record(LabelKey, LabelValue)
  .refine((l) => Object.keys(l).length <= 64, { message: "must have at most 64 labels" });
/** Labels maps label keys to values. */
export type Labels = z.infer<typeof Labels>;

/** Timestamp is an ISO-8601 UTC instant such as `2026-01-02T03:04:05.000Z`. */
export const Timestamp = z.iso.datetime({ message: "must be an ISO-8601 UTC timestamp" });
/** Timestamp is an ISO-8601 UTC instant. */
export type Timestamp = z.infer<typeof Timestamp>;

/** ResourceVersion counts the writes of a resource; an update must name the current one. */
export const ResourceVersion = z.int().min(1);

/** Description is free text of up to 1024 characters. */
export const Description = z.string().max(1024);

/** ConditionStatus is the tri-state of a condition. */
export const ConditionStatus = z.enum(["True", "False", "Unknown"]);

/** Condition reports one aspect of a resource's observed state, as Kubernetes conditions do. */
export const Condition = z.strictObject({
  type: z.string().min(1).max(64),
  status: ConditionStatus,
  reason: z.string().max(128).default(""),
  message: z.string().max(1024).default(""),
  lastTransitionAt: Timestamp,
});
/** Condition reports one aspect of a resource's observed state. */
export type Condition = z.infer<typeof Condition>;

/** metaFields are the fields every stored resource has. */
export const metaFields = {
  id: Id,
  name: Name,
  labels: Labels.default({}),
  resourceVersion: ResourceVersion,
  createdAt: Timestamp,
  updatedAt: Timestamp,
} as const;

/** Resource is what every stored entity has in common. */
export interface Resource {
  readonly id: string;
  readonly resourceVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** ServerManagedField names the fields a repository assigns: callers never set them on create. */
export type ServerManagedField = "resourceVersion" | "createdAt" | "updatedAt";

/** NewResource is what a caller hands to `create`: the entity without the fields the repository assigns. */
export type NewResource<T extends Resource> = Omit<T, ServerManagedField>;

/** Mib is a size in mebibytes (a positive integer). */
export const Mib = z.int().min(1);
/** Gib is a size in gibibytes (a positive integer). */
export const Gib = z.int().min(1);
