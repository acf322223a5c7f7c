/** Forward hooks of modules: the hook types and the handle that removes one. */
import type { Module } from "./module.ts";

/** A function run before forward: may return replacement arguments (an array) or nothing. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown[] | void;
/** A function run after forward: may return a replacement output or nothing. */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;

/** Removes the hook it was returned for (`handle.remove()`). */
export class RemovableHandle {
  constructor(private readonly hooks: Map<number, unknown>, readonly id: number) {}
  /** Unregisters the hook. */
  remove(): void {
    this.hooks.delete(this.id);
  }
}
