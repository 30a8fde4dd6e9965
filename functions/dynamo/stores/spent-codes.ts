/**
 * Sign-in codes already exchanged (state table, `SIGNIN#<sha256 of the code>`): one conditional
 * put per sign-in, deleted by DynamoDB's TTL once the code could no longer be valid. Only the
 * hash is kept: a stored code could not be replayed, but it is still not ours to keep.
 */
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SpentCodes } from "../../../domain/sign-in/index.ts";
import { keys } from "../keys.ts";

export class DynamoSpentCodes implements SpentCodes {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, stateTable: string) {
    this.#db = db;
    this.#state = stateTable;
  }

  async spend(codeHash: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#state,
          Item: { ...keys.spentCode(codeHash), expiresAt: Math.ceil(expiresAt.getTime() / 1000) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}
