import type { SecurityGroup, SecurityGroupInput, SecurityGroupRepository } from "@limiquantix/domain";
import type { SqlExecutor } from "../sql/executor";
import { SqlRepository } from "./sql-repository";
import type { Column } from "./table-map";

/**
 * SqlSecurityGroupRepository stores a group's rules as rows of security_rules, in order, and
 * the rest of its spec in its own row; both are written in one transaction.
 */
export class SqlSecurityGroupRepository
  extends SqlRepository<SecurityGroup, SecurityGroupInput>
  implements SecurityGroupRepository
{
  protected override selectExpr(col: Column): string {
    if (col.field !== "spec") return super.selectExpr(col);
    return (
      "t.spec || jsonb_build_object('rules', coalesce((SELECT jsonb_agg(r.rule ORDER BY r.position) " +
      "FROM security_rules r WHERE r.group_id = t.id), '[]'::jsonb))"
    );
  }

  protected override encodeOverrides(group: SecurityGroup): Record<string, unknown> {
    const { rules: _rules, ...rest } = group.spec;
    return { spec: rest };
  }

  protected override get writesOutsideRow(): boolean {
    return true;
  }

  protected override async afterWrite(db: SqlExecutor, group: SecurityGroup): Promise<void> {
    await db.query("DELETE FROM security_rules WHERE group_id = $1::text", [group.id]);
    if (group.spec.rules.length === 0) return;
    await db.query(
      "INSERT INTO security_rules (group_id, rule_id, position, rule) " +
        "SELECT $1::text, x.rule ->> 'id', x.position::int, x.rule " +
        "FROM jsonb_array_elements($2::text::jsonb) WITH ORDINALITY AS x(rule, position)",
      [group.id, JSON.stringify(group.spec.rules)],
    );
  }
}
