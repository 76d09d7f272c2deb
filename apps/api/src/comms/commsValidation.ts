import {
  ValidateBy,
  type ValidationError,
  validateSync,
  type ValidationOptions,
} from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { CommsError, errorItem, type CommsErrorItem } from './commsError';

/** A long list of bad recipients is reported in part: the first ones show the pattern. */
const MAX_REPORTED_ERRORS = 100;

/**
 * Whole-object checks are getters on the DTO (class-validator validates their value); their
 * errors point at the object itself, or at the field named here.
 */
const SELF_CHECKS: Record<string, string | null> = {
  recipientForm: null,
  contentForm: null,
  senderForm: null,
  endDateAfterStartDate: 'endDate',
};

/** Where a failure points, and its Twilio code when a precise one exists. */
function itemFor(path: string, constraint: string, message: string): CommsErrorItem {
  if (/^\$\.to\[\d+\](\.addresses\[\d+\])?\.address$/.test(path) && constraint === 'matches') {
    return errorItem(21614, "'To' number is not a valid mobile number.", path);
  }
  if (path === '$.from.address' && constraint === 'matches') {
    return errorItem(21212, "Invalid 'From' Phone Number.", path);
  }
  if (path === '$.content.text' && constraint === 'maxLength') {
    return errorItem(
      21617,
      'The concatenated message body exceeds the 1600 character limit.',
      path,
    );
  }
  if (path === '$.to' && ['isDefined', 'isArray', 'arrayMinSize'].includes(constraint)) {
    return errorItem(21604, "A 'To' recipient is required.", path);
  }
  if (path === '$.content' && ['isDefined', 'isObject', 'equals'].includes(constraint)) {
    return errorItem(21602, 'Message body is required: give content.text or content.media.', path);
  }
  if (/^\$\.content\.media\[\d+\]\.url$/.test(path)) {
    return errorItem(21620, 'Invalid media URL(s).', path);
  }
  if (path === '$.content.media' && constraint === 'arrayMaxSize') {
    return errorItem(21623, 'Number of media files exceeds allowed limit of 10.', path);
  }
  return errorItem(70002, message, path);
}

function segment(property: string): string {
  return /^\d+$/.test(property) ? `[${property}]` : `.${property}`;
}

function collect(errors: readonly ValidationError[], path: string, out: CommsErrorItem[]): void {
  for (const error of errors) {
    if (out.length >= MAX_REPORTED_ERRORS) return;
    const self = SELF_CHECKS[error.property];
    const here =
      self === undefined
        ? `${path}${segment(error.property)}`
        : self === null
          ? path
          : `${path}.${self}`;
    for (const [constraint, text] of Object.entries(error.constraints ?? {})) {
      const subject = self === undefined ? error.property : here;
      const message =
        constraint === 'whitelistValidation'
          ? `${error.property} is not a known property.`
          : `${text.startsWith(`${error.property} `) ? text : `${subject} ${text}`}.`;
      out.push(itemFor(here, constraint, message));
      break; // one complaint per field: the first rule it breaks
    }
    collect(error.children ?? [], here, out);
  }
}

/**
 * class-validator over a body or query, in the Comms dialect: every failure is an error item
 * whose `context` is the JSON path of the field (`$.to[0].address`; query parameters as
 * `$.pageSize`). Bodies refuse unknown properties (the spec's objects are closed); queries
 * ignore them.
 */
export function validateComms<T extends object>(
  type: new () => T,
  plain: unknown,
  options: { forbidUnknown: boolean },
): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw CommsError.badRequest('The request must be a JSON object.', '$');
  }
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: options.forbidUnknown,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  if (errors.length === 0) return instance;
  const items: CommsErrorItem[] = [];
  collect(errors, '$', items);
  throw new CommsError(400, items);
}

/** `@Body(CommsBodyPipe)` / `@Query(CommsQueryPipe)`: validateComms against the parameter's type. */
@Injectable()
export class CommsBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return validateComms(metadata.metatype as new () => object, value ?? {}, {
      forbidUnknown: true,
    });
  }
}

@Injectable()
export class CommsQueryPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return validateComms(metadata.metatype as new () => object, value ?? {}, {
      forbidUnknown: false,
    });
  }
}

/** A field this implementation accepts in the spec's shape but cannot honour (README lists them). */
export function Unsupported(message: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'unsupported', validator: { validate: () => false, defaultMessage: () => message } },
    options,
  );
}

/**
 * A JSON object whose values are all strings (Liquid `variables`), of bounded size: the spec
 * sets none, but a value longer than the 1,600-character body could never be sent whole, and
 * the bounds keep one recipient's message (about 170 KB at most) well inside what one append
 * of the fan-out may carry.
 */
export function IsStringMap(
  limits: { maxEntries: number; maxLength: number },
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.keys(value).length <= limits.maxEntries &&
          Object.entries(value).every(
            ([k, v]) =>
              typeof v === 'string' && k.length <= limits.maxLength && v.length <= limits.maxLength,
          ),
        defaultMessage: () =>
          `must be an object of at most ${limits.maxEntries} strings of at most ${limits.maxLength} characters`,
      },
    },
    options,
  );
}
