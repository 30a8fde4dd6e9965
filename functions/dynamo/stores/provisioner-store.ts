/** Provisioning clients (SCIM) on DynamoDB: one item per client, `PROVISIONER#<clientId>` / `CREDENTIALS`, hashes only. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Provisioner, ProvisionerStore } from "../../../domain/directory/index.ts";
import { ContentionError } from "../../../domain/kernel/errors.ts";
import { keys, withoutKeys } from "../keys.ts";

export class DynamoProvisionerStore implements ProvisionerStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.#db = db;
    this.#table = table;
  }

  async provisioner(clientId: string): Promise<Provisioner | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.provisioner(clientId), ConsistentRead: true }));
    return Item ? withoutKeys<Provisioner>(Item) : undefined;
  }

  async putProvisioner(provisioner: Provisioner): Promise<void> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.provisioner(provisioner.clientId), ...provisioner },
          ...(provisioner.version === 1
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "version = :before", ExpressionAttributeValues: { ":before": provisioner.version - 1 } }),
        }),
      );
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") throw new ContentionError("the provisioner changed meanwhile");
      throw error;
    }
  }
}
