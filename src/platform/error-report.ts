// What a change request's sticky comment says when a run ended before it had a result (bad input,
// a problem found before k6 started): the headline names the cause, so no stale green report stays.

/** The message in a code fence longer than any backtick run in it: input quoted in it stays text. */
export function renderRunFailureReport(message: string, headline = 'bad input'): string {
  const longest = Math.max(0, ...(message.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `## 💥 k6-gate: ${headline}\n\nThe gate did not run, so there is no comparison for this commit.\n\n${fence}text\n${message}\n${fence}\n`;
}
