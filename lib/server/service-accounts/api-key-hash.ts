import 'server-only';
import { createHash } from 'node:crypto';

/** A service account's API key is 256 random bits, so SHA-256 is enough to store it: a slow hash adds nothing. */
export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
