/**
 * PDF executive reports (per tenant, store or product): a branded header, an executive summary
 * built from the narratives, the forecast chart with its interval band, the drivers chart, and
 * tables. Rendered with pdfkit into a Buffer; the caller writes the file (atomically) or streams it.
 * No network access: a logo is drawn only when the caller passes its bytes; otherwise its URL is
 * printed as text.
 */
import PDFDocument from 'pdfkit';
import { SalescastError } from '../core/errors.js';
import {
  type BarDatum,
  type ChartColors,
  drawBarChart,
  drawForecastChart,
  type ForecastChartData,
} from './charts.js';

/** A tenant's white-label branding. */
export interface Branding {
  /** Shown in the header and as the PDF's Author. */
  readonly name: string;
  /** `#rrggbb`; headings, forecast line and positive bars. */
  readonly primaryColor: string;
  readonly logoUrl?: string;
  /** PNG or JPEG bytes of the logo, fetched by the caller. */
  readonly logo?: Uint8Array;
}

export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** One page of the report. */
export interface ReportSection {
  readonly title: string;
  /** Sentences of the summary paragraph (from the narratives). */
  readonly summary: readonly string[];
  readonly forecast?: ForecastChartData;
  /** Driver contributions, units, drawn as horizontal bars. */
  readonly drivers?: readonly BarDatum[];
  readonly driversTitle?: string;
  readonly table?: ReportTable;
  readonly recommendations?: readonly string[];
}

export interface ReportSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** ISO 8601 timestamp printed in the footer (the caller's clock: rendering stays deterministic). */
  readonly generatedAt: string;
  readonly branding: Branding;
  /** Each section starts a new page. */
  readonly sections: readonly ReportSection[];
}

export interface RenderOptions {
  /** Compress page streams (default true); tests turn it off to read the text. */
  readonly compress?: boolean;
}

const MARGIN = 50;

/**
 * The standard PDF fonts only cover WinAnsi: characters outside it (the typographic minus and the
 * arrows the narratives use) are replaced by their nearest ASCII forms.
 */
const WIN_ANSI_FALLBACKS: readonly [RegExp, string][] = [
  [/\u2212/g, '-'],
  [/\u2192/g, '->'],
  [/\u00b1/g, '+/-'],
  [/\u2264/g, '<='],
  [/\u2265/g, '>='],
  [/\u00d7/g, 'x'],
];

/** `text` with characters the standard fonts lack replaced. */
export function pdfText(text: string): string {
  return WIN_ANSI_FALLBACKS.reduce((t, [from, to]) => t.replace(from, to), text);
}
const COLOR = /^#[0-9a-fA-F]{6}$/;

/** Renders `spec` as an A4 PDF. Throws INVALID_ARGUMENT for a malformed colour or no sections. */
export function renderReport(spec: ReportSpec, options: RenderOptions = {}): Promise<Buffer> {
  if (!COLOR.test(spec.branding.primaryColor)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `the branding colour must be #rrggbb; got '${spec.branding.primaryColor}'.`,
      { field: 'primaryColor' },
    );
  }
  if (spec.sections.length === 0) {
    throw new SalescastError('INVALID_ARGUMENT', 'a report needs at least one section.', {
      field: 'sections',
    });
  }
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    compress: options.compress ?? true,
    autoFirstPage: false,
    info: {
      Title: spec.title,
      Author: spec.branding.name,
      Subject: spec.subtitle ?? spec.title,
      Creator: 'salescast',
      CreationDate: new Date(spec.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const colors: ChartColors = {
    primary: spec.branding.primaryColor,
    muted: '#777777',
    band: spec.branding.primaryColor,
    negative: '#c0392b',
  };
  spec.sections.forEach((section, i) => {
    doc.addPage();
    header(doc, spec, i + 1);
    body(doc, section, colors);
  });
  doc.end();
  return done;
}

function header(doc: PDFKit.PDFDocument, spec: ReportSpec, page: number): void {
  const { branding } = spec;
  const width = doc.page.width - 2 * MARGIN;
  doc.rect(0, 0, doc.page.width, 8).fill(branding.primaryColor);
  let textLeft = MARGIN;
  if (branding.logo) {
    doc.image(Buffer.from(branding.logo), MARGIN, 22, { fit: [60, 36] });
    textLeft += 70;
  }
  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor(branding.primaryColor)
    .text(branding.name, textLeft, 24, {
      width: width - (textLeft - MARGIN),
    });
  doc.font('Helvetica').fontSize(9).fillColor('#555555');
  if (!branding.logo && branding.logoUrl) doc.text(`Logo: ${branding.logoUrl}`, textLeft, 44);
  doc.text(`${spec.title}${spec.subtitle ? ` · ${spec.subtitle}` : ''}`, textLeft, 56);
  // The footer sits inside the bottom margin, where text would otherwise start a new page.
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  doc
    .fontSize(7)
    .fillColor('#999999')
    .text(
      `Generated ${spec.generatedAt} · page ${page} of ${spec.sections.length}`,
      MARGIN,
      doc.page.height - 30,
      {
        width,
        align: 'right',
        lineBreak: false,
      },
    );
  doc.page.margins.bottom = bottom;
  doc
    .moveTo(MARGIN, 74)
    .lineTo(MARGIN + width, 74)
    .lineWidth(0.5)
    .strokeColor('#cccccc')
    .stroke();
  doc.x = MARGIN;
  doc.y = 84;
}

function heading(doc: PDFKit.PDFDocument, text: string, color: string): void {
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).fillColor(color).text(text, MARGIN);
  doc.moveDown(0.3).font('Helvetica').fontSize(9).fillColor('#222222');
}

function body(doc: PDFKit.PDFDocument, section: ReportSection, colors: ChartColors): void {
  const width = doc.page.width - 2 * MARGIN;
  doc.font('Helvetica-Bold').fontSize(14).fillColor('#222222').text(pdfText(section.title), MARGIN);
  heading(doc, 'Executive summary', colors.primary);
  doc.text(pdfText(section.summary.join(' ')), MARGIN, doc.y, { width, align: 'left' });
  if (section.forecast) {
    heading(doc, 'Forecast with P10–P90 band', colors.primary);
    const box = { x: MARGIN, y: doc.y, width, height: 170 };
    drawForecastChart(doc, box, section.forecast, colors);
    doc.y = box.y + box.height + 4;
  }
  if (section.drivers && section.drivers.length > 0) {
    heading(doc, section.driversTitle ?? 'Drivers (units)', colors.primary);
    const height = Math.min(18 * section.drivers.length, 160);
    const box = { x: MARGIN, y: doc.y, width, height };
    drawBarChart(doc, box, section.drivers, colors);
    doc.y = box.y + height + 4;
  }
  if (section.table) {
    heading(doc, 'Figures', colors.primary);
    table(doc, section.table, width);
  }
  if (section.recommendations && section.recommendations.length > 0) {
    heading(doc, 'Recommendations', colors.primary);
    doc.list(section.recommendations.map(pdfText), MARGIN + 6, doc.y, {
      width: width - 6,
      bulletRadius: 1.5,
    });
  }
}

function table(doc: PDFKit.PDFDocument, t: ReportTable, width: number): void {
  const colWidth = width / t.columns.length;
  const row = (cells: readonly string[], bold: boolean) => {
    const y = doc.y;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(8)
      .fillColor('#222222');
    cells.forEach((c, j) => {
      doc.text(pdfText(c), MARGIN + j * colWidth, y, {
        width: colWidth - 4,
        align: j === 0 ? 'left' : 'right',
        lineBreak: false,
      });
    });
    doc.y = y + 12;
  };
  row(t.columns, true);
  doc
    .moveTo(MARGIN, doc.y - 2)
    .lineTo(MARGIN + width, doc.y - 2)
    .lineWidth(0.3)
    .strokeColor('#cccccc')
    .stroke();
  for (const r of t.rows) row(r, false);
  doc.x = MARGIN;
}
