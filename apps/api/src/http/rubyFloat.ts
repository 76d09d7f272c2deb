/**
 * A number as Ruby's Float#to_s writes it, which is what Canvas puts in its rate-limit headers:
 * always a decimal point (`600.0`), and exponent form below 1e-4 or from 1e16 (`1.5e-05`).
 */
export function rubyFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(n);
  // Where both languages write plain decimals (JS switches to exponents only below 1e-6 and
  // from 1e21), String() is Ruby's text: the common case, without toExponential's cost.
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const fixed = String(n);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const [digits, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.includes('.') ? digits : `${digits}.0`;
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(n);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}
