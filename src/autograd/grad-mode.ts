/** Global autograd switch: `torch.noGrad(() => ...)`, `torch.enableGrad`, `torch.isGradEnabled()`. */

let enabled = true;

/** True when operations record a graph for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns graph recording on or off (like `torch.set_grad_enabled`). */
export function setGradEnabled(on: boolean): void {
  enabled = on;
}

/** Runs `fn` without recording a graph (like `with torch.no_grad():`), restoring the previous mode after. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with graph recording on (like `with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
