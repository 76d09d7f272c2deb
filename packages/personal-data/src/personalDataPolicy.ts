/**
 * Which fields of which event types hold personal data, and whose it is.
 *
 * `path` walks the event's data: dotted property names, `[]` after a name for every element of
 * an array (`messages[].body`, `to[].variables`). `subject` names the data subject whose key
 * seals the field, from the object that holds the field (`holder`) and the whole payload; it
 * is an id, never personal data itself (`user:42`, `outbound:01h…`). `placeholder` is what
 * readers get once that subject's key is gone.
 */
export interface ProtectedField {
  readonly path: string;
  readonly subject: (holder: Record<string, unknown>, data: Record<string, unknown>) => string;
  readonly placeholder: unknown;
}

export type PersonalDataPolicy = ReadonlyMap<string, readonly ProtectedField[]>;

interface CompiledPath {
  /** Each step: a property name, and whether its value is an array to walk element by element. */
  readonly steps: readonly { readonly name: string; readonly each: boolean }[];
}

const compiled = new WeakMap<ProtectedField, CompiledPath>();

function compile(field: ProtectedField): CompiledPath {
  let path = compiled.get(field);
  if (!path) {
    const steps = field.path.split('.').map((part) => {
      const each = part.endsWith('[]');
      const name = each ? part.slice(0, -2) : part;
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
        throw new Error(`bad protected-field path ${JSON.stringify(field.path)}`);
      }
      return { name, each };
    });
    path = { steps };
    compiled.set(field, path);
  }
  return path;
}

/**
 * Calls `visit` for every place the field's path reaches in `data` (the holder object and the
 * property name), skipping absent or null parts: optional fields and older payloads simply
 * have nothing there.
 */
export function forEachFieldSlot(
  field: ProtectedField,
  data: Record<string, unknown>,
  visit: (holder: Record<string, unknown>, name: string) => void,
): void {
  const { steps } = compile(field);
  const walk = (node: unknown, index: number): void => {
    if (typeof node !== 'object' || node === null) return;
    const step = steps[index]!;
    const holder = node as Record<string, unknown>;
    if (index === steps.length - 1 && !step.each) {
      if (holder[step.name] !== undefined && holder[step.name] !== null) visit(holder, step.name);
      return;
    }
    const next = holder[step.name];
    if (step.each) {
      if (!Array.isArray(next)) return;
      if (index === steps.length - 1) {
        // `names[]` as the last step protects each element: its holder is the array.
        for (let i = 0; i < next.length; i++) {
          if (next[i] !== undefined && next[i] !== null) {
            visit(next as unknown as Record<string, unknown>, String(i));
          }
        }
        return;
      }
      for (const element of next) walk(element, index + 1);
      return;
    }
    walk(next, index + 1);
  };
  walk(data, 0);
}

/**
 * A copy of `data` that shares everything but the objects and arrays on the fields' paths, so
 * that those slots can be rewritten without touching the original (cheaper than a deep clone
 * of the whole payload, which readers of every event would pay).
 */
export function copyAlongPaths(
  fields: readonly ProtectedField[],
  data: Record<string, unknown>,
): Record<string, unknown> {
  const root = { ...data };
  for (const field of fields) {
    const { steps } = compile(field);
    const copy = (node: Record<string, unknown>, index: number): void => {
      if (index >= steps.length - 1 && !steps[index]!.each) return;
      const step = steps[index]!;
      const next = node[step.name];
      if (typeof next !== 'object' || next === null) return;
      if (step.each) {
        if (!Array.isArray(next)) return;
        const array = next.map((element: unknown) =>
          index < steps.length - 1 && typeof element === 'object' && element !== null
            ? { ...(element as Record<string, unknown>) }
            : element,
        );
        node[step.name] = array;
        if (index < steps.length - 1) {
          for (const element of array) {
            if (typeof element === 'object' && element !== null) {
              copy(element as Record<string, unknown>, index + 1);
            }
          }
        }
        return;
      }
      const child = { ...(next as Record<string, unknown>) };
      node[step.name] = child;
      copy(child, index + 1);
    };
    copy(root, 0);
  }
  return root;
}
