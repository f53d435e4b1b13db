/**
 * `salescast report`: the executive PDF of a saved model's forecast for the tenant, a store or a
 * product: summary narrative, forecast chart with its interval, drivers chart, key figures and
 * recommendations, in the branding of a JSON file.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import { writeFileAtomic } from '../../data/atomic-write.js';
import type { BrandingJson } from '../../realtime/explain-service.js';
import { checkOutputPath, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { type ExplainInputOptions, readExplainInput, withExplainInput } from './explain.js';

interface ReportCommandOptions extends ExplainInputOptions {
  out: string;
  store?: string;
  product?: string;
  brand?: string;
}

const HELP_AFTER = `
--brand takes the tenant's branding as JSON, as the tenants table holds it:
  {"name": "Acme Groceries", "logo_url": "https://acme.example/logo.png", "colors": {"primary": "#0a7d5a"}}
The logo URL is printed, never fetched. The PDF is written atomically.

Examples:
  salescast report --model-file model.scf --data ./panel --out outlook.pdf
  salescast report --model-file model.scf --data ./panel --product P004 --brand brand.json --out p004.pdf
`;

async function readBranding(path: string): Promise<BrandingJson> {
  const file = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new SalescastError('SOURCE_NOT_FOUND', `${file}: no such branding file.`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SalescastError('INVALID_ARGUMENT', `${file}: not JSON (${(e as Error).message}).`, { file });
  }
  const b = json as BrandingJson;
  const ok =
    typeof json === 'object' &&
    json !== null &&
    (b.name === undefined || typeof b.name === 'string') &&
    (b.logo_url === undefined || typeof b.logo_url === 'string') &&
    (b.colors === undefined || (typeof b.colors === 'object' && b.colors !== null));
  if (!ok) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${file}: expected {"name": text, "logo_url": text, "colors": {"primary": "#rrggbb"}}.`,
      { file },
    );
  }
  return b;
}

export function registerReport(program: Command): void {
  withCommonOptions(
    withExplainInput(
      program
        .command('report')
        .description('Write the executive PDF report of a saved model: tenant, store or product.'),
    )
      .requiredOption('--out <file>', 'PDF file to write')
      .option('--store <id>', 'report on one store')
      .option('--product <id>', 'report on one product')
      .option('--brand <file.json>', 'white-label branding: name, logo_url, colors.primary'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: ReportCommandOptions) => {
      checkOutputPath('--out', opts.out, {
        '--data': opts.data,
        '--model-file': opts.modelFile,
        '--brand': opts.brand,
      });
      if (opts.store && opts.product)
        throw new SalescastError('USAGE', 'give --store or --product, not both.');
      const branding = opts.brand ? await readBranding(opts.brand) : {};
      const data = await readExplainInput(opts);
      const { reportPdf } = await import('../../realtime/explain-service.js');
      const { pdf, title } = await reportPdf(data, {
        selection: { store: opts.store, product: opts.product },
        branding,
        fallbackName: 'salescast',
        generatedAt: new Date().toISOString(),
      });
      await writeFileAtomic(opts.out, pdf);
      emit(
        opts,
        { out: opts.out, bytes: pdf.length, title },
        () => `Wrote ${title} (${pdf.length} bytes) to ${opts.out}.`,
      );
    });
}
