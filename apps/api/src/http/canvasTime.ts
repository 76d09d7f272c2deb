/** Canvas renders times as ISO-8601 in UTC to the second: `2011-09-02T12:00:00Z`. */
export function canvasTime(iso: string): string;
export function canvasTime(iso: string | null): string | null;
export function canvasTime(iso: string | null): string | null {
  return iso === null ? null : iso.replace(/\.\d+Z$/, 'Z');
}
