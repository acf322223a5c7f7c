/** Python-style `warnings.warn` for the optim family: each distinct message is shown once. */

const shown = new Set<string>();

/** Shows a UserWarning once per distinct message (process.emitWarning on Node, console.warn elsewhere). */
export function warnOnce(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  const proc = (globalThis as { process?: { emitWarning?: (message: string, type: string) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(message, "UserWarning");
  else console.warn(`UserWarning: ${message}`);
}
