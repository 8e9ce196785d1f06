import { SHAPES } from './shapes.gen.js';

/** One member of a structure shape, as the request walks (decoding, auditing) need it. */
export interface Member {
  readonly name: string;
  readonly shape: string;
  /** lowerCamel, as AWS names the member in validation messages and CloudTrail logs its parameters. */
  readonly wireName: string;
  readonly required: boolean;
}

const plans = new Map<string, readonly Member[]>();

/** A structure's members, worked out once per shape: every request walks its input at least twice. */
export function membersOf(shapeName: string): readonly Member[] {
  let plan = plans.get(shapeName);
  if (!plan) {
    const s = SHAPES[shapeName];
    plan = Object.entries(s?.members ?? {}).map(([name, shape]) => ({
      name, shape, wireName: name.charAt(0).toLowerCase() + name.slice(1), required: s?.required?.includes(name) ?? false,
    }));
    plans.set(shapeName, plan);
  }
  return plan;
}
