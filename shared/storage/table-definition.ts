import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single table, described once: the local stack creates it from here and the CDK
 * stack declares it from here, so the two cannot drift.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  index: {
    name: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    /**
     * What the index's readers read besides the keys: a membership's fields (a user's teams,
     * shared/data/members.ts), an audit event's (an environment's events,
     * shared/data/audit-events.ts) and a user profile's (every user, shared/data/users.ts). A
     * global secret's entry is read for its keys alone, so no sealed value is copied into the
     * index, where purges and re-seals would have to reach it too.
     */
    projected: [
      ...['teamId', 'teamName', 'teamSlug', 'userId', 'email', 'name', 'slug', 'role', 'createdAt'],
      ...['id', 'at', 'actor', 'action', 'target', 'environmentId', 'jobId', 'versions'],
      'disabled',
    ],
  },
  ttlAttribute: 'ttl',
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [TABLE.partitionKey, TABLE.sortKey, TABLE.index.partitionKey, TABLE.index.sortKey].map(
      (name) => ({ AttributeName: name, AttributeType: 'S' }),
    ),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.index.name,
        KeySchema: [
          { AttributeName: TABLE.index.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TABLE.index.projected] },
      },
    ],
  };
}
