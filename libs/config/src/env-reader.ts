/** A configuration value that cannot be read: names the variable, never echoes secrets. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`environment variable ${variable} must be ${expected}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Typed readers over an environment: each returns the default when the variable is unset or empty. */
export function envReader(env: Env) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  /** A reader of numbers that pass `valid` (integers, finite numbers) within [min, max]; `kind` names them in errors. */
  const numberReader =
    (valid: (value: number) => boolean, kind: string) =>
    (name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number => {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!valid(parsed) || parsed < min || parsed > max) {
        throw new ConfigError(name, `${kind} between ${min} and ${max}`);
      }
      return parsed;
    };
  return {
    string: (name: string, fallback: string): string => raw(name) ?? fallback,
    optionalString: (name: string): string | undefined => raw(name),
    int: numberReader(Number.isInteger, 'an integer'),
    number: numberReader(Number.isFinite, 'a number'),
    bool: (name: string, fallback: boolean): boolean => {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(name, 'true or false');
    },
    list: (name: string, fallback: string[]): string[] => {
      const value = raw(name);
      return value === undefined
        ? fallback
        : value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean);
    },
    oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value))
        throw new ConfigError(name, `one of ${allowed.join(', ')}`);
      return value as T;
    },
  };
}
