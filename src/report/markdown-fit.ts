// Text cut to a size: how a report's size is counted (characters or UTF-8 bytes), the longest
// prefix that fits cut at a line break, and a code block left open by the cut closed again. The
// last resort of renderMarkdownReport (markdown.ts), when even the shortest rendering is too long.

/** A size the text must fit, and how the notice names it. */
export interface ReportLimit {
  /** Most characters (or UTF-8 bytes) the report may take. */
  max: number;
  /** How `max` counts: characters (UTF-16 code units, as GitHub and GitLab count a body) or bytes. */
  unit?: 'characters' | 'bytes';
  /** The limit as a reader should hear it: "GitHub's 65,536-character comment limit". */
  description: string;
}

/** `text`, or its first `max` characters and an ellipsis. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)} …`;
}

export function sizeOf(text: string, limit: ReportLimit): number {
  return limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

/** The longest prefix of `text` that fits, cut at a line break. */
function prefixThatFits(text: string, room: number, limit: ReportLimit): string {
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sizeOf(text.slice(0, mid), limit) <= room) low = mid;
    else high = mid - 1;
  }
  const cut = text.slice(0, low);
  const lastBreak = cut.lastIndexOf('\n');
  return lastBreak > 0 ? cut.slice(0, lastBreak) : cut;
}

/** The fence of a code block `text` leaves open (an exception cut in the middle), if any. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const fence = /^`{3,}/.exec(line)?.[0];
    if (!fence) continue;
    if (open === undefined) open = fence;
    else if (line.trim() === open) open = undefined;
  }
  return open;
}

/** `text` cut at a line break to fit `limit`, with a notice saying so and any open code block closed. */
export function cutToFit(text: string, limit: ReportLimit): string {
  const notice = `\n\n> ✂️ **Cut off here** to fit ${limit.description}. The full report is report.md in the run's artifacts.\n`;
  // Room for a fence that closes a code block the cut leaves open (at most this long: see codeBlock).
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const closer = '\n' + '`'.repeat(Math.max(3, longestRun + 1));
  let cut = prefixThatFits(text, limit.max - sizeOf(notice, limit) - sizeOf(closer, limit), limit);
  const fence = openFence(cut);
  if (fence) cut += `\n${fence}`;
  return cut + notice;
}
