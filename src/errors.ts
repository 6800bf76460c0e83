// The root of peergos-ts' named error classes. Every failure a caller may act on is a subclass
// with a stable `name`, asserted by name in tests (see docs/ARCHITECTURE.md, "Errors").
export class PeergosError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}
