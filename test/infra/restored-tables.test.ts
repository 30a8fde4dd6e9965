/**
 * After a restore (docs/OPERATIONS.md, "Runbook: restore the tables in AWS"), the stack adopts the
 * restored tables by name (`-c ledgerTable= -c stateTable=`): on its synthesised template, every
 * function, grant, alarm, stream consumer and the backup plan follow them, and they are declared
 * as the stack declares its own tables (stream, PITR, deletion protection, TTL), so that
 * CloudFormation can import them and drift detection finds nothing once the runbook's settings are on.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { stageConfig } from "../../lib/stage.ts";

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const names = { ledger: "Laurel-prod-ledger-restored-20261201", state: "Laurel-prod-state-restored-20261201" };

const synth = (stage: "dev" | "prod", tableNames?: typeof names) => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new LaurelStack(app, `Laurel-${stage}`, { config: { ...stageConfig(stage), ...(tableNames ? { tableNames } : {}) } });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.resolve(stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0])) as string;
  return { stack, resources, ledgerId: id(stack.tables.tables.ledger), stateId: id(stack.tables.tables.state) };
};

const ofType = (resources: Record<string, Resource>, type: string) => Object.values(resources).filter((r) => r.Type === type);

let own: ReturnType<typeof synth>;
let restored: ReturnType<typeof synth>;
beforeAll(() => {
  own = synth("prod");
  restored = synth("prod", names);
}, 240_000);

describe("a stack pointed at restored tables", () => {
  it("keeps its own tables' logical ids when no name is given, so no deployment replaces them", () => {
    expect([own.ledgerId, own.stateId]).toEqual(["TablesledgerB795704C", "TablesstateBC776594"]);
    const tables = ofType(own.resources, "AWS::DynamoDB::Table");
    expect(tables.map((t) => t.Properties.TableName)).toEqual([undefined, undefined]);
  });

  it("declares the restored tables by name, under logical ids of their own, retained: what CloudFormation imports", () => {
    expect([restored.ledgerId, restored.stateId]).not.toContain(own.ledgerId);
    expect([restored.ledgerId, restored.stateId]).not.toContain(own.stateId);
    const tables = ofType(restored.resources, "AWS::DynamoDB::Table");
    expect(tables.map((t) => [t.Properties.TableName, t.DeletionPolicy, t.UpdateReplacePolicy])).toEqual([
      [names.ledger, "Retain", "Retain"],
      [names.state, "Retain", "Retain"],
    ]);
  });

  it("turns back on what a restore does not copy: the ledger's stream, PITR, deletion protection, the state table's TTL", () => {
    const ledger = restored.resources[restored.ledgerId]?.Properties;
    const state = restored.resources[restored.stateId]?.Properties;
    for (const table of [ledger, state]) {
      expect(table).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    }
    expect(ledger?.StreamSpecification).toEqual({ StreamViewType: "NEW_IMAGE" });
    expect(state?.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
  });

  it("points every function, grant, stream consumer, alarm and the backup plan at them, and nothing at the old tables", () => {
    const text = JSON.stringify(restored.resources);
    for (const oldId of [own.ledgerId, own.stateId]) expect(text).not.toContain(oldId);
    const functions = ofType(restored.resources, "AWS::Lambda::Function").filter((f) => f.Properties.Environment?.Variables?.LEDGER_TABLE);
    expect(functions.length).toBeGreaterThanOrEqual(17);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        LEDGER_TABLE: { Ref: restored.ledgerId },
        STATE_TABLE: { Ref: restored.stateId },
      });
    }
    const mappings = ofType(restored.resources, "AWS::Lambda::EventSourceMapping").filter((m) => m.Properties.StartingPosition);
    expect(mappings.map((m) => m.Properties.EventSourceArn)).toEqual(
      mappings.map(() => ({ "Fn::GetAtt": [restored.ledgerId, "StreamArn"] })),
    );
    const selection = ofType(restored.resources, "AWS::Backup::BackupSelection")[0]?.Properties.BackupSelection;
    expect(JSON.stringify(selection.Resources)).toContain(restored.ledgerId);
    expect(JSON.stringify(selection.Resources)).toContain(restored.stateId);
    const alarmed = ofType(restored.resources, "AWS::CloudWatch::Alarm").filter((a) =>
      JSON.stringify(a.Properties).includes("AWS/DynamoDB"),
    );
    expect(alarmed.length).toBeGreaterThan(0);
  });

  it("retains a restored state table even in dev, where the stack's own may go with it", () => {
    const dev = synth("dev", names);
    expect(dev.resources[dev.stateId]?.DeletionPolicy).toBe("Retain");
    expect(synth("dev").resources[own.stateId]?.DeletionPolicy).toBe("Delete");
  });
});
