import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { eventSchemas } from '../generated/eventSchemas';
import { catalogueEntry } from './eventCatalogue';
import { upcast } from './upcasters';

export interface EventValidationResult {
  readonly valid: boolean;
  readonly errors: readonly string[];
}

/**
 * Checks stored events against the catalogue: the type must be catalogued and its payload,
 * upcast to the current version, must match that version's schema.
 */
export class EventValidator {
  private readonly ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  private readonly compiled = new Map<string, ValidateFunction>();

  validate(event: {
    type: string;
    data: unknown;
    metadata?: Record<string, unknown>;
  }): EventValidationResult {
    if (!catalogueEntry(event.type)) {
      return { valid: false, errors: [`${event.type} is not in the event catalogue`] };
    }
    const schemaVersion = event.metadata?.['schemaVersion'];
    const { data } = upcast(
      event.type,
      typeof schemaVersion === 'number' ? schemaVersion : undefined,
      event.data,
    );
    const validate = this.validatorFor(event.type);
    if (validate(data)) return { valid: true, errors: [] };
    return {
      valid: false,
      errors: (validate.errors ?? []).map(
        (e) => `${event.type}${e.instancePath || ''} ${e.message ?? 'is invalid'}`,
      ),
    };
  }

  private validatorFor(type: string): ValidateFunction {
    let validate = this.compiled.get(type);
    if (!validate) {
      const schema = eventSchemas[type];
      if (!schema) throw new Error(`no schema generated for ${type}: run npm run generate`);
      validate = this.ajv.compile(schema);
      this.compiled.set(type, validate);
    }
    return validate;
  }
}
