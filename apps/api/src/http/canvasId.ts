import { Injectable, type PipeTransform } from '@nestjs/common';
import { CanvasError } from './canvasError';

/** Canvas ids are decimal BIGINTs: at most 16 digits keeps them exact in a JSON number. */
const CANVAS_ID = /^\d{1,16}$/;

export function isCanvasId(value: unknown): value is string {
  return typeof value === 'string' && CANVAS_ID.test(value);
}

/** A path id that cannot name anything answers Canvas's 404, as an unknown one would. */
@Injectable()
export class CanvasIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isCanvasId(value)) throw CanvasError.notFound();
    return value;
  }
}
