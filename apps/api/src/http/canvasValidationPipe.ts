import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { CanvasError } from './canvasError';

type Formatter = (errors: ValidationError[]) => CanvasError;

/** class-validator on every input, rendering failures in the endpoint's Canvas dialect. */
export function canvasValidationPipe(format: Formatter): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => format(errors),
  });
}

/** Leaf failures as property paths, e.g. `['user', 'name']`. */
function leaves(errors: ValidationError[], path: string[] = []): string[][] {
  return errors.flatMap((e) => {
    const here = [...path, e.property];
    const own = e.constraints && Object.keys(e.constraints).length > 0 ? [here] : [];
    return [...own, ...leaves(e.children ?? [], here)];
  });
}

/** ActiveModel style, nested by object: `{"errors":{"user":{"name":[{attribute,type,message}]}}}`. */
export const modelErrors: Formatter = (errors) => {
  const out: Record<string, unknown> = {};
  for (const path of leaves(errors)) {
    const attribute = path[path.length - 1]!;
    const entry = { attribute, type: 'invalid', message: 'invalid' };
    if (path.length === 1) {
      out[attribute] = [entry];
    } else {
      const bucket = (out[path[0]!] ??= {}) as Record<string, unknown[]>;
      bucket[attribute] = [entry];
    }
  }
  return CanvasError.model(out);
};

/** The Conversations controller's bare array of `{attribute, message}`. */
export const conversationErrors: Formatter = (errors) =>
  new CanvasError(
    400,
    leaves(errors).map((path) => ({ attribute: path[0], message: 'invalid' })),
  );
