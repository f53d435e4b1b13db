/** Schema helpers shared by route plugins. */
import { type TLiteral, type TUnion, Type } from '@sinclair/typebox';

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/** A string limited to `values` (a const tuple), typed as their union. */
export function stringEnum<const T extends readonly string[]>(values: T): TUnion<Literals<T>> {
  // The cast only restores the tuple type that `map` loses; the schema is the plain union.
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Literals<T>>;
}
