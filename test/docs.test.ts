import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/errors.js';

describe('reference docs', () => {
  it('documents every error code with its status and exit code', () => {
    const doc = readFileSync('docs/ERRORS.md', 'utf8');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(doc, `docs/ERRORS.md lacks ${code}`).toContain(
        `| \`${code}\` | ${spec.status} | ${spec.exitCode} |`,
      );
    }
  });
});
