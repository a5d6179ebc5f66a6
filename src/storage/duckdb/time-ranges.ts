/**
 * The time ranges a batch's duplicate check has to scan.
 *
 * Stored duplicates are found by scanning the logs table only where the batch's timestamps
 * are (zone maps skip the rest). A single [min, max] range would let one late log, or one
 * client with a skewed clock, widen every scan to hours or days of data; splitting the sorted
 * timestamps at their largest gaps keeps each scanned range as narrow as the data in it.
 */

/** More ranges make the OR filter longer for little gain: a row group holds ~120k rows. */
export const MAX_DEDUP_RANGES = 8;
/** Gaps below this are not worth a split: both sides usually sit in the same row group. */
const MIN_SPLIT_GAP_MS = 60_000;

export type TimeRange = readonly [from: number, to: number];

/** Inclusive ranges covering every timestamp, at most maxRanges of them, split at the widest gaps. */
export function timeRangesCovering(timestamps: readonly number[], maxRanges = MAX_DEDUP_RANGES): TimeRange[] {
  if (timestamps.length === 0) return [];
  const sorted = Float64Array.from(timestamps).sort();
  const gaps: Array<{ at: number; width: number }> = [];
  for (let i = 1; i < sorted.length; i++) {
    const width = sorted[i] - sorted[i - 1];
    if (width >= MIN_SPLIT_GAP_MS) gaps.push({ at: i, width });
  }
  const splits = gaps
    .sort((a, b) => b.width - a.width)
    .slice(0, maxRanges - 1)
    .map((gap) => gap.at)
    .sort((a, b) => a - b);
  const ranges: TimeRange[] = [];
  let start = 0;
  for (const split of [...splits, sorted.length]) {
    ranges.push([sorted[start], sorted[split - 1]]);
    start = split;
  }
  return ranges;
}
