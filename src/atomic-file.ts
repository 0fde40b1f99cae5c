// Writing a file so that a reader sees the old content or the new, never half of it: the text goes
// to a temporary file next to the target, is flushed, and replaces the target by a rename. A failed
// write (a full disk) leaves the target as it was and removes the temporary file.
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, rm } from 'node:fs/promises';

export async function writeFileAtomic(file: string, text: string, mode = 0o644): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temporary, mode); // open()'s mode passes through the umask
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
