import { hash, verify } from "@node-rs/argon2";
import { type FieldViolation, invalidArgument } from "@limiquantix/domain";

/**
 * ARGON2_PARAMETERS are the hash parameters: argon2id with OWASP's first recommended setting
 * (19 MiB of memory, 2 passes, one lane), about 15 ms per hash on one core of the reference machine.
 */
export const ARGON2_PARAMETERS = {
  // Algorithm.Argon2id (a const enum, which this build cannot import).
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** hashPassword hashes a password with argon2id; the result carries its parameters and salt (PHC string). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMETERS);
}

/** verifyPassword says whether password matches a hash made by hashPassword; a malformed hash never matches. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * burnVerification spends the time a verification takes, for a login whose user does not exist,
 * so the answer's timing does not tell which usernames exist.
 */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword("not-a-password-of-anyone");
  await verifyPassword(await dummy, password);
}

/** PasswordPolicy is what a new password must satisfy. */
export interface PasswordPolicy {
  readonly minLength: number;
}

/**
 * checkPassword enforces the policy on a new password for username: at least minLength
 * characters, not the username (in any case), and not one character repeated. It throws
 * InvalidArgument naming the wire field.
 */
export function checkPassword(
  policy: PasswordPolicy,
  username: string,
  password: string,
  field: string,
): void {
  const violations: FieldViolation[] = [];
  if ([...password].length < policy.minLength)
    violations.push({ field, description: `must be at least ${policy.minLength} characters` });
  if (password.toLowerCase().includes(username.toLowerCase()) && username.length > 0)
    violations.push({ field, description: "must not contain the username" });
  if (password.length > 0 && new Set(password).size === 1)
    violations.push({ field, description: "must not be one character repeated" });
  if (violations.length > 0) throw invalidArgument(violations);
}
