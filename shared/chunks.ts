/** `items` in runs of at most `size`, in order (the batch and transaction limits of DynamoDB). */
export function chunksOf<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
