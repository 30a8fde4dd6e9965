/**
 * The DynamoDB tables, built from their specs in functions/dynamo/tables.ts (key schema, indexes,
 * streams), so that the cloud and DynamoDB Local cannot drift apart.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { type TableSpec, tables } from "../../functions/dynamo/tables.ts";

export interface LedgerTablesProps {
  /** For the state table (directory and projections). The ledger is always retained. */
  stateRemovalPolicy: RemovalPolicy;
}

export class LedgerTables extends Construct {
  readonly tables: Record<TableSpec["name"], Table>;

  constructor(scope: Construct, id: string, props: LedgerTablesProps) {
    super(scope, id);
    const removalPolicies: Record<TableSpec["name"], RemovalPolicy> = {
      // The ledger is the record of what everyone earned: no stage may lose it with the stack.
      ledger: RemovalPolicy.RETAIN,
      state: props.stateRemovalPolicy,
    };
    const build = (spec: TableSpec): Table => {
      const table = new Table(this, spec.name, {
        partitionKey: { name: "pk", type: AttributeType.STRING },
        sortKey: { name: "sk", type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // A table the stack may destroy must be deletable; every retained one is protected.
        deletionProtection: removalPolicies[spec.name] !== RemovalPolicy.DESTROY,
        removalPolicy: removalPolicies[spec.name],
        ...(spec.stream ? { stream: StreamViewType.NEW_IMAGE } : {}),
        ...(spec.timeToLive ? { timeToLiveAttribute: spec.timeToLive } : {}),
      });
      for (const index of spec.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
          ...(index.include
            ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.include }
            : { projectionType: ProjectionType.ALL }),
        });
      }
      return table;
    };
    this.tables = { ledger: build(tables.ledger), state: build(tables.state) };
  }
}
