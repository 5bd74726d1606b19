// Removes the files the tests generated (hundreds of MiB).
import { rm } from 'node:fs/promises';
import { FILES_DIR } from './helpers.mjs';

export default async function teardown() {
  await rm(FILES_DIR, { recursive: true, force: true });
}
