// The names of the files one k6 run leaves in the results dir. Pure: the inputs check names with it
// before anything runs, without loading the code that runs k6.

/** Scenario names become file names: keep them portable. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._@-]+/g, '_');
}

export function k6FileNames(scenario: string): { summary: string; log: string; html: string } {
  const safe = safeFileName(scenario);
  return { summary: `summary-${safe}.json`, log: `k6-${safe}.log`, html: `report-${safe}.html` };
}
