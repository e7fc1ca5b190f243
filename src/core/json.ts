/**
 * A JSON value from a user's file, described for a message in a few characters and without
 * recursion: input can nest thousands of levels deep (JSON.stringify would overflow the stack)
 * or hold megabytes in one string.
 */
export function describeJsonValue(value: unknown, maxLength = 40): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
