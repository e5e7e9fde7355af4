import { z } from "zod";
import { isLabelKey, isLabelValue, type Labels } from "../common";
import { invalidArgument } from "../errors";

/** SELECTOR_OPERATORS are the operators of a label requirement. */
export const SELECTOR_OPERATORS = ["=", "!=", "in", "notin", "exists", "!exists"] as const;
/** SelectorOperator is one label-requirement operator. */
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

/** LabelRequirement is one clause of a selector: `key=value`, `key in (a,b)`, `key`, `!key`, … */
export const LabelRequirement = z
  .strictObject({
    key: z.string().refine(isLabelKey, { message: "must be a label key" }),
    operator: z.enum(SELECTOR_OPERATORS),
    values: z.array(z.string().refine(isLabelValue, { message: "must be a label value" })).default([]),
  })
  .superRefine((r, ctx) => {
    const n = r.values.length;
    if ((r.operator === "=" || r.operator === "!=") && n !== 1)
      ctx.addIssue({
        code: "custom",
        path: ["values"],
        message: `must hold exactly one value for '${r.operator}'`,
      });
    if ((r.operator === "in" || r.operator === "notin") && n === 0)
      ctx.addIssue({
        code: "custom",
        path: ["values"],
        message: `must hold at least one value for '${r.operator}'`,
      });
    if ((r.operator === "exists" || r.operator === "!exists") && n !== 0)
      ctx.addIssue({ code: "custom", path: ["values"], message: `must be empty for '${r.operator}'` });
  });
/** LabelRequirement is one clause of a label selector. */
export type LabelRequirement = z.infer<typeof LabelRequirement>;

/** LabelSelector is a conjunction of requirements; the empty selector matches everything. */
export const LabelSelector = z.array(LabelRequirement).max(32);
/** LabelSelector is a conjunction of label requirements. */
export type LabelSelector = readonly LabelRequirement[];

/** matchesRequirement says whether labels satisfy one requirement. */
export function matchesRequirement(req: LabelRequirement, labels: Readonly<Labels>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case "=":
      return has && value === req.values[0];
    case "!=":
      return !has || value !== req.values[0];
    case "in":
      return has && req.values.includes(value as string);
    case "notin":
      return !has || !req.values.includes(value as string);
    case "exists":
      return has;
    case "!exists":
      return !has;
  }
}

/** matchesSelector says whether labels satisfy every requirement of a selector. */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Labels>): boolean {
  for (const req of selector) if (!matchesRequirement(req, labels)) return false;
  return true;
}

function formatRequirement(r: LabelRequirement): string {
  switch (r.operator) {
    case "=":
    case "!=":
      return `${r.key}${r.operator}${r.values[0]}`;
    case "in":
    case "notin":
      return `${r.key} ${r.operator} (${r.values.join(",")})`;
    case "exists":
      return r.key;
    case "!exists":
      return `!${r.key}`;
    default: {
      const never: never = r.operator;
      return never;
    }
  }
}

/** formatLabelSelector renders a selector in the string syntax `parseLabelSelector` reads. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.map(formatRequirement).join(",");
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

const SET_RE = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/;
const EQ_RE = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;

/**
 * parseLabelSelector reads the Kubernetes selector syntax: `env=prod,tier!=web,zone in (a,b),gpu notin (x),ssd,!old`.
 * It throws InvalidArgument naming the clause that cannot be read.
 */
export function parseLabelSelector(text: string, field = "labelSelector"): LabelSelector {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const out: LabelRequirement[] = [];
  for (const [i, raw] of splitTopLevel(trimmed).entries()) {
    const clause = raw.trim();
    let req: { key: string; operator: SelectorOperator; values: string[] } | undefined;
    const set = SET_RE.exec(clause);
    const eq = EQ_RE.exec(clause);
    if (set) {
      const values = set[3]!.split(",").map((v) => v.trim());
      req = { key: set[1]!, operator: set[2] as "in" | "notin", values };
    } else if (eq) {
      req = { key: eq[1]!, operator: eq[2] === "!=" ? "!=" : "=", values: [eq[3]!] };
    } else if (/^![^\s!=(),]+$/.test(clause)) {
      req = { key: clause.slice(1), operator: "!exists", values: [] };
    } else if (/^[^\s!=(),]+$/.test(clause)) {
      req = { key: clause, operator: "exists", values: [] };
    }
    const parsed = req ? LabelRequirement.safeParse(req) : undefined;
    if (!parsed?.success) {
      const why = parsed?.error.issues[0]?.message ?? "cannot be read";
      throw invalidArgument([
        {
          field,
          description: `clause ${i + 1} ${JSON.stringify(clause)} ${why === "cannot be read" ? "cannot be read: use key=value, key!=value, key in (a,b), key notin (a,b), key or !key" : `is invalid: ${why}`}`,
        },
      ]);
    }
    out.push(parsed.data);
  }
  return out;
}
