import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The bench's baseline Lambda bundle (bench/measure/bundles.ts): the AWS SDK clients a function
 * of this service builds at import (the DynamoDB document client and the KMS client, with the
 * commands of a runtime read) and nothing of the service. A function's cold import ÷ this one's
 * is what the service adds to what any Lambda of this shape pays.
 */
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});
const kms = new KMSClient({ maxAttempts: 3 });
const commands = [GetCommand, QueryCommand, BatchGetCommand, PutCommand, DecryptCommand, GenerateDataKeyCommand];

export const handler = async () => ({
  statusCode: 200,
  body: JSON.stringify({ clients: [doc.constructor.name, kms.constructor.name], commands: commands.length }),
});
