// Runtime checks typed by the generated types, so the compiler keeps them honest.
//
// A `Check<T>` looks at a value that should be a `T` and returns what is wrong with it.
// `T` is invariant (the phantom `_type`), so `object<S>({...})` compiles only when the
// shape names every property of Supaglue's type `S`, optional ones marked `optional(...)`,
// each with a check of exactly that property's type: if a regenerated type gains, loses or
// changes a field, this file's users stop compiling. Extra properties in a response pass
// (the spec allows additions).

export interface Check<T> {
  (value: unknown, at: string): string[];
  readonly _type?: (value: T) => T;
}

export interface Optional<T> {
  readonly optional: Check<T>;
}

export type Shape<T> = {
  [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Check<T[K]>;
};

const show = (value: unknown): string => JSON.stringify(value)?.slice(0, 80) ?? String(value);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function leaf<T>(test: (value: unknown) => boolean, what: string): Check<T> {
  return (value, at) => (test(value) ? [] : [`${at}: expected ${what}, got ${show(value)}`]);
}

export const string = leaf<string>((v) => typeof v === "string", "a string");
export const number = leaf<number>((v) => typeof v === "number", "a number");
export const boolean = leaf<boolean>((v) => typeof v === "boolean", "a boolean");
export const anyObject = leaf<{ [key: string]: unknown }>(isObject, "an object");

export function literal<const L extends readonly string[]>(...values: L): Check<L[number]> {
  return leaf((v) => values.includes(v as string), `one of ${values.join(", ")}`);
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, at) => (value === null ? [] : check(value, at));
}

export function optional<T>(check: Check<T>): Optional<T> {
  return { optional: check };
}

export function array<T>(check: Check<T>): Check<T[]> {
  return (value, at) =>
    Array.isArray(value)
      ? value.flatMap((item, i) => check(item, `${at}[${i}]`))
      : [`${at}: expected an array, got ${show(value)}`];
}

/** A check of one member `U` of a union `T` where a `T` is expected: stricter than the type
 * (the other members fail), for a step that knows which member the spec answers it. */
export function member<T, U extends T>(check: Check<U>): Check<T> {
  return check as unknown as Check<T>;
}

export function object<T>(shape: Shape<T>): Check<T> {
  const rules = Object.entries(shape) as [string, Check<unknown> | Optional<unknown>][];
  return (value, at) => {
    if (!isObject(value)) return [`${at}: expected an object, got ${show(value)}`];
    return rules.flatMap(([key, rule]) => {
      if (!(key in value)) return "optional" in rule ? [] : [`${at}.${key}: missing`];
      return ("optional" in rule ? rule.optional : rule)(value[key], `${at}.${key}`);
    });
  };
}
