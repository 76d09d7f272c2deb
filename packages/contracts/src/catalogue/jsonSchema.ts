/** A JSON Schema (draft-07) document, as produced from the domain's types. */
export type JsonSchema = Record<string, unknown>;
