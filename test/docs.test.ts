import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/errors.js';
import { generateDemoRetailer } from '../src/data/demo/generate.js';
import { demoPanel } from '../src/explain/testing/demo-panel.js';
import { buildFeatureSet } from '../src/features/feature-set.js';

/**
 * The feature names docs/FEATURES.md documents, as patterns: the backticked names in the first
 * column of its tables, `<column>` standing for a driver's name and every other placeholder for a
 * number (`lag<k>` for lag7).
 */
function documentedFeatures(doc: string): RegExp[] {
  const names = doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  return names.map(
    (n) =>
      new RegExp(
        `^${n
          .split(/(<[^>]+>)/)
          .map((part) =>
            part === '<column>'
              ? '.+'
              : part.startsWith('<')
                ? '[0-9.]+'
                : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('')}$`,
      ),
  );
}

describe('reference docs', () => {
  it('documents every error code with its status and exit code', () => {
    const doc = readFileSync('docs/ERRORS.md', 'utf8');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(doc, `docs/ERRORS.md lacks ${code}`).toContain(
        `| \`${code}\` | ${spec.status} | ${spec.exitCode} |`,
      );
    }
  });

  it('documents every feature of the demo retailer, of which there are more than 40', () => {
    const documented = documentedFeatures(readFileSync('docs/FEATURES.md', 'utf8'));
    const panel = demoPanel(generateDemoRetailer({ stores: 2, products: 3, days: 400, seed: 1 }));
    // Recursive (every lag) and direct at h = 28, with and without target encodings.
    for (const [config, minLag] of [
      [{}, 1],
      [{ targetEncodings: false }, 1],
      [{ targetEncodings: false }, 28],
    ] as const) {
      const names = buildFeatureSet(panel, config, minLag).map((d) => d.name);
      expect(names.length).toBeGreaterThan(40);
      expect(names.filter((n) => !documented.some((re) => re.test(n)))).toEqual([]);
    }
    expect(buildFeatureSet(panel).map((d) => d.name)).toEqual(
      expect.arrayContaining(['promo_type_target_mean', 'lag1_seasonal_mean_7x4', 'price_rel_recent']),
    );
  });
});
