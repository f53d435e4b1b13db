/**
 * The eight sources of a retailer and their canonical schemas. The demo generator writes files in
 * exactly this shape, and ingestion validates any user's files against it (after column mapping).
 * Dates are ISO `YYYY-MM-DD`; for weekly data a date is the Monday that starts the week.
 */

export const SCHEMA_VERSION = 1;

export type ColumnType = 'string' | 'integer' | 'number' | 'date' | 'boolean';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** A required column must be present in the file, and its value must be non-empty on every row. */
  readonly required: boolean;
  /** Inclusive lower bound for numeric columns. */
  readonly min?: number;
  /** Exclusive lower bound for numeric columns (e.g. prices must be > 0). */
  readonly greaterThan?: number;
  /** Inclusive upper bound for numeric columns. */
  readonly max?: number;
  readonly description: string;
}

export interface ForeignKeySpec {
  readonly columns: readonly string[];
  readonly references: SourceName;
  readonly referencedColumns: readonly string[];
}

export interface SourceSpec {
  readonly name: SourceName;
  readonly description: string;
  /** Without a required source ingestion cannot build a panel and stops with exit code 2. */
  readonly required: boolean;
  readonly columns: readonly ColumnSpec[];
  /** Columns that identify a row; a second row with the same key is rejected as a duplicate key. */
  readonly key: readonly string[];
  readonly foreignKeys: readonly ForeignKeySpec[];
}

export const SOURCE_NAMES = [
  'sales',
  'products',
  'stores',
  'calendar',
  'prices',
  'promotions',
  'weather',
  'inventory',
] as const;

export type SourceName = (typeof SOURCE_NAMES)[number];

const storeFk: ForeignKeySpec = {
  columns: ['store_id'],
  references: 'stores',
  referencedColumns: ['store_id'],
};
const productFk: ForeignKeySpec = {
  columns: ['product_id'],
  references: 'products',
  referencedColumns: ['product_id'],
};

export const SOURCES: Readonly<Record<SourceName, SourceSpec>> = {
  sales: {
    name: 'sales',
    description: 'Units sold per store × product × period (point-of-sale aggregates).',
    required: true,
    columns: [
      { name: 'store_id', type: 'string', required: true, description: 'Store identifier.' },
      { name: 'product_id', type: 'string', required: true, description: 'Product identifier (SKU).' },
      {
        name: 'date',
        type: 'date',
        required: true,
        description: 'Day, or Monday of the week for weekly data.',
      },
      {
        name: 'units',
        type: 'number',
        required: true,
        min: 0,
        description: 'Units sold (returns excluded).',
      },
      {
        name: 'revenue',
        type: 'number',
        required: false,
        min: 0,
        description: 'Net revenue in currency units.',
      },
    ],
    key: ['store_id', 'product_id', 'date'],
    foreignKeys: [storeFk, productFk],
  },
  products: {
    name: 'products',
    description: 'Product master data.',
    required: true,
    columns: [
      { name: 'product_id', type: 'string', required: true, description: 'Product identifier (SKU).' },
      { name: 'name', type: 'string', required: false, description: 'Display name.' },
      { name: 'category', type: 'string', required: true, description: 'Category, e.g. "Dairy".' },
      { name: 'department', type: 'string', required: true, description: 'Department, e.g. "Fresh".' },
      { name: 'unit_cost', type: 'number', required: true, min: 0, description: 'Purchase cost per unit.' },
      {
        name: 'base_price',
        type: 'number',
        required: true,
        greaterThan: 0,
        description: 'Regular shelf price.',
      },
    ],
    key: ['product_id'],
    foreignKeys: [],
  },
  stores: {
    name: 'stores',
    description: 'Store master data.',
    required: true,
    columns: [
      { name: 'store_id', type: 'string', required: true, description: 'Store identifier.' },
      { name: 'name', type: 'string', required: false, description: 'Display name.' },
      {
        name: 'type',
        type: 'string',
        required: true,
        description: 'Format, e.g. hypermarket, supermarket, express.',
      },
      { name: 'size_sqm', type: 'number', required: true, greaterThan: 0, description: 'Sales floor in m².' },
      { name: 'region', type: 'string', required: true, description: 'Region; joins weather.' },
      { name: 'opening_date', type: 'date', required: true, description: 'Date the store opened.' },
    ],
    key: ['store_id'],
    foreignKeys: [],
  },
  calendar: {
    name: 'calendar',
    description: 'Calendar with public holidays and retail events.',
    required: false,
    columns: [
      { name: 'date', type: 'date', required: true, description: 'Day.' },
      {
        name: 'is_holiday',
        type: 'boolean',
        required: true,
        description: 'Public holiday (true/false or 1/0).',
      },
      { name: 'holiday_name', type: 'string', required: false, description: 'Name of the holiday or event.' },
      {
        name: 'is_payday',
        type: 'boolean',
        required: false,
        description: 'Common payday (true/false or 1/0).',
      },
    ],
    key: ['date'],
    foreignKeys: [],
  },
  prices: {
    name: 'prices',
    description: 'Shelf price and discount per store × product × period.',
    required: false,
    columns: [
      { name: 'store_id', type: 'string', required: true, description: 'Store identifier.' },
      { name: 'product_id', type: 'string', required: true, description: 'Product identifier.' },
      { name: 'date', type: 'date', required: true, description: 'Day, or Monday of the week.' },
      {
        name: 'price',
        type: 'number',
        required: true,
        greaterThan: 0,
        description: 'Shelf price before discount.',
      },
      {
        name: 'discount_pct',
        type: 'number',
        required: false,
        min: 0,
        max: 95,
        description:
          'Discount in percent of the shelf price; the paid price is price × (1 − discount_pct/100).',
      },
    ],
    key: ['store_id', 'product_id', 'date'],
    foreignKeys: [storeFk, productFk],
  },
  promotions: {
    name: 'promotions',
    description: 'Promotions: one row per promotion × product, optionally limited to one store.',
    required: false,
    columns: [
      { name: 'promo_id', type: 'string', required: true, description: 'Promotion identifier.' },
      { name: 'product_id', type: 'string', required: true, description: 'Promoted product.' },
      { name: 'store_id', type: 'string', required: false, description: 'Store; empty means every store.' },
      {
        name: 'promo_type',
        type: 'string',
        required: true,
        description: 'Mechanic, e.g. flyer, display, bogo.',
      },
      { name: 'start_date', type: 'date', required: true, description: 'First day, inclusive.' },
      { name: 'end_date', type: 'date', required: true, description: 'Last day, inclusive (≥ start_date).' },
    ],
    key: ['promo_id', 'product_id', 'store_id'],
    foreignKeys: [productFk],
  },
  weather: {
    name: 'weather',
    description: 'Daily weather per region.',
    required: false,
    columns: [
      { name: 'region', type: 'string', required: true, description: 'Region, as in stores.region.' },
      { name: 'date', type: 'date', required: true, description: 'Day, or Monday of the week.' },
      {
        name: 'temp_c',
        type: 'number',
        required: true,
        min: -60,
        max: 60,
        description: 'Mean temperature, °C.',
      },
      { name: 'precip_mm', type: 'number', required: false, min: 0, description: 'Precipitation, mm.' },
    ],
    key: ['region', 'date'],
    foreignKeys: [],
  },
  inventory: {
    name: 'inventory',
    description: 'Stock per store × product × period.',
    required: false,
    columns: [
      { name: 'store_id', type: 'string', required: true, description: 'Store identifier.' },
      { name: 'product_id', type: 'string', required: true, description: 'Product identifier.' },
      { name: 'date', type: 'date', required: true, description: 'Day, or Monday of the week.' },
      {
        name: 'stock_on_hand',
        type: 'number',
        required: true,
        min: 0,
        description: 'Units on hand at the end of the period, after sales and receipts. 0 means sold out.',
      },
      {
        name: 'receipts',
        type: 'number',
        required: false,
        min: 0,
        description: 'Units received in the period.',
      },
    ],
    key: ['store_id', 'product_id', 'date'],
    foreignKeys: [storeFk, productFk],
  },
};

/**
 * The panel's first columns: a row's key and what happened in it (the target and its
 * consequences). They are never drivers of a forecast.
 */
export const PANEL_KEY_AND_OUTCOME_COLUMNS = [
  'store_id',
  'product_id',
  'date',
  'units',
  'revenue',
  'sales_status',
  'stockout',
  'stock_on_hand',
  'receipts',
] as const;
