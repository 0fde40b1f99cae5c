// Uploads everything in the results dir as one workflow artifact with @actions/artifact. Called before
// the job is marked failed, so a failing gate still leaves its evidence behind.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { formatDuration } from '../../format.js';

/** The part of DefaultArtifactClient we use; tests may hand in the real client pointed at a fake service. */
export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number }>;
}

export interface UploadedArtifact {
  id: number;
  name: string;
  size?: number;
  files: string[];
}

/** Every file below `dir`, absolute paths, sorted so the archive is the same from run to run. */
export function listResultFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile())) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Longest wait for the whole upload. The client retries on its own but has no deadline: a service
 * that accepts and never answers would hold the job after its verdict (the entry exits once the run
 * is published, so an abandoned upload cannot keep the process alive).
 */
export const ARTIFACT_UPLOAD_DEADLINE_MS = 300_000;

export async function uploadResultsArtifact(options: {
  dir: string;
  name: string;
  retentionDays?: number;
  client?: ArtifactUploader;
  deadlineMs?: number;
}): Promise<UploadedArtifact | undefined> {
  const files = listResultFiles(options.dir);
  if (files.length === 0) return undefined;
  const client = options.client ?? new DefaultArtifactClient();
  const deadline = options.deadlineMs ?? ARTIFACT_UPLOAD_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  const upload = client.uploadArtifact(options.name, files, options.dir, {
    ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
  });
  const response = await Promise.race([
    upload,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the artifact service did not finish the upload within ${formatDuration(deadline)}`)),
        deadline,
      );
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
  if (response.id === undefined) {
    throw new Error(`the artifact service accepted "${options.name}" but returned no artifact id`);
  }
  return { id: response.id, name: options.name, size: response.size, files: files.map((f) => path.relative(options.dir, f)) };
}
