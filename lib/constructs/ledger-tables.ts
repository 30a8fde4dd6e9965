/**
 * The DynamoDB tables, built from their specs in functions/dynamo/tables.ts (key schema, indexes,
 * streams), so that the cloud and DynamoDB Local cannot drift apart.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { type TableSpec, tables } from "../../functions/dynamo/tables.ts";

/** Tables restored from a backup (new tables, named by the restore), to take over from the stack's own. */
export type TableNames = Partial<Record<TableSpec["name"], string>>;

export interface LedgerTablesProps {
  /** For the state table (directory and projections). The ledger is always retained. */
  stateRemovalPolicy: RemovalPolicy;
  /**
   * A table named here is that existing table, imported (`cdk deploy --import-existing-resources`)
   * under a logical id of its own, so that CloudFormation adopts it rather than replacing the
   * stack's table; the stack's former table leaves the stack and is kept (docs/OPERATIONS.md).
   */
  names?: TableNames;
}

export class LedgerTables extends Construct {
  readonly tables: Record<TableSpec["name"], Table>;

  constructor(scope: Construct, id: string, props: LedgerTablesProps) {
    super(scope, id);
    const names = props.names ?? {};
    const removalPolicies: Record<TableSpec["name"], RemovalPolicy> = {
      // The ledger is the record of what everyone earned: no stage may lose it with the stack.
      ledger: RemovalPolicy.RETAIN,
      // CloudFormation imports only a resource it would retain.
      state: names.state ? RemovalPolicy.RETAIN : props.stateRemovalPolicy,
    };
    const build = (spec: TableSpec): Table => {
      const name = names[spec.name];
      // The stack's own tables keep the construct ids (and logical ids) they were created under.
      const table = new Table(this, name ? `${spec.name}-${name}` : spec.name, {
        ...(name ? { tableName: name } : {}),
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
