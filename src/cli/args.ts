// Command-line arguments of the user commands (POSIX/GNU conventions): `--name value`, `--name=value`,
// boolean flags, combined short flags (`-la`), `--` ending the options and `-` as an ordinary argument.
// Anything unknown or incomplete is a UsageError (exit status 2).
import { PeergosError } from '../errors.ts'

/** The command line is wrong (unknown option, missing argument...): exit status 2. */
export class UsageError extends PeergosError {}

export interface OptionSpec {
  /** The long name, without the leading `--`. */
  readonly name: string
  /** A one-letter alias, without the leading `-`. */
  readonly short?: string
  /** The value's placeholder in help (`URL`); absent for a boolean flag. */
  readonly value?: string
  readonly help: string
}

export interface ParsedArgs {
  readonly positional: string[]
  readonly flags: ReadonlySet<string>
  readonly values: ReadonlyMap<string, string>
}

export function parseArgs(args: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]))
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short!, s]))
  const positional: string[] = []
  const flags = new Set<string>()
  const values = new Map<string, string>()
  const take = (spec: OptionSpec, inline: string | undefined, i: number): number => {
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`option --${spec.name} takes no value`)
      flags.add(spec.name)
      return i
    }
    const value = inline ?? args[i + 1]
    if (value === undefined) throw new UsageError(`option --${spec.name} needs a value (${spec.value})`)
    values.set(spec.name, value)
    return inline === undefined ? i + 1 : i
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--') {
      positional.push(...args.slice(i + 1))
      break
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq)
      const spec = byName.get(name)
      if (spec === undefined) throw new UsageError(`unknown option --${name}`)
      i = take(spec, eq < 0 ? undefined : a.slice(eq + 1), i)
    } else if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const spec = byShort.get(a[k])
        if (spec === undefined) throw new UsageError(`unknown option -${a[k]}`)
        if (spec.value !== undefined) {
          // `-sVALUE` or `-s VALUE`: the rest of the word is the value
          i = take(spec, k + 1 < a.length ? a.slice(k + 1) : undefined, i)
          break
        }
        flags.add(spec.name)
      }
    } else {
      positional.push(a)
    }
  }
  return { positional, flags, values }
}

/** The options block of a command's help text. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `${s.short === undefined ? '    ' : `-${s.short}, `}--${s.name}${s.value === undefined ? '' : ` ${s.value}`}`)
  const width = Math.max(...left.map((l) => l.length)) + 2
  return specs.map((s, i) => `  ${left[i].padEnd(width)}${s.help}\n`).join('')
}
