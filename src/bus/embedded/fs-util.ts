/**
 * The few file-system primitives the embedded bus needs, on raw file descriptors with the
 * callback API (cheaper per call than FileHandle promises on the produce hot path).
 */
import * as fs from 'node:fs';

/** Writes the whole buffer at a file position, looping over short writes. */
export function writeFully(fd: number, buffer: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      fs.write(fd, buffer, done, buffer.length - done, position + done, (err, written) => {
        if (err) return reject(err);
        done += written;
        if (done >= buffer.length) resolve();
        else step();
      });
    };
    step();
  });
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Reads up to length bytes at position; resolves with the number of bytes read (0 at end of file). */
export function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buffer, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))),
  );
}

export function openFile(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd))));
}

export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

export function truncateFile(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve())));
}

export { fsyncDirectory, isNotFound, writeFileAtomic } from '../../runtime/durable-files.js';
