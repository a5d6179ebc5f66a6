/**
 * A group whose position fell below a partition's log start lost records to retention before it
 * read them. Both adapters then resume at the log start, as Kafka's consumers do, and say so in
 * the same words: the loss is the operator's to see (too short a retention, a group offline too
 * long), never silent.
 */
export function retentionSkipWarning(topic: string, partition: number, position: number, logStart: number): string {
  const skipped = logStart - position;
  return (
    `offset ${position} of ${topic}/${partition} is below the log start ${logStart}: retention deleted ` +
    `${skipped} record${skipped === 1 ? '' : 's'} this group had not read; resuming at ${logStart}`
  );
}
