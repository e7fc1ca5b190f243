/**
 * The part of the WebAssembly JavaScript API that src/core/model/matmul.ts uses. Node and every
 * browser have it; the TypeScript libraries this project compiles against (ES2023 + Node) do not
 * declare it.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
